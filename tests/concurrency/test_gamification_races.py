"""Challenge progress and prizes under concurrent purchases, on PostgreSQL, over real HTTP.

Many tills send a member's receipts at once, and one receipt many times: the
progress counts each receipt once, the challenge completes once, its points are
one journal entry and its badge one row.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx

from tests.api.helpers import enrol, purchase_body
from tests.concurrency import test_postgres_races as races
from tests.concurrency.test_postgres_races import (
    LiveApi,
    assert_ledger_invariants,
    race,
    rows,
    scalar,
)

live = races.live  # the live server on PostgreSQL, as the other races use it

PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "earning": {"points": 1, "per": "1.00"},
    "badges": [{"id": "regular", "name": "Regular"}],
    "challenges": [
        {
            "id": "three-visits",
            "name": "Three visits a month",
            "goal": {"type": "purchases", "count": 3},
            "period": "month",
            "reward": {"points": 100, "badge": "regular"},
        }
    ],
}


def apply(live: LiveApi) -> None:
    response = live.admin.put("/v1/programme", json=PROGRAMME)
    assert response.status_code == 201, response.text


def sale(member_id: str, receipt: str) -> dict[str, Any]:
    body = purchase_body(f"id:{member_id}", [("SKU", 1, "10.00")], receipt=receipt)
    body["occurred_at"] = "2026-03-03T10:00:00Z"
    return body


def send(client: httpx.Client, body: dict[str, Any], key: str) -> int:
    response = client.post("/v1/purchases", json=body, headers={"Idempotency-Key": key})
    assert response.status_code in (200, 201), response.text
    return response.status_code


def prizes(live: LiveApi, member_id: str) -> list[tuple[Any, ...]]:
    return rows(
        live,
        "select e.entry_id, sum(p.points) from journal_entries e join postings p "
        "on p.entry_id = e.entry_id and p.account = 'wallet' "
        "where e.member_id = :m and e.source_type = 'challenge' group by e.entry_id",
        m=member_id,
    )


def test_concurrent_receipts_complete_the_challenge_once(live: LiveApi) -> None:
    apply(live)
    member_id = str(enrol(live.admin, email="race-challenge@example.pl")["member_id"])
    tasks = [(lambda n=n: send(live.pos, sale(member_id, f"RC-{n}"), f"rc-{n}")) for n in range(40)]
    assert sorted(race(tasks)) == [201] * 40
    progress = rows(
        live,
        "select window_key, progress, completed_at is not null from challenge_progress "
        "where member_id = :m",
        m=member_id,
    )
    assert progress == [("2026-03", 3, True)]
    assert [points for _, points in prizes(live, member_id)] == [100]
    assert scalar(live, "select count(*) from member_badges where member_id = :m", m=member_id) == 1
    available = scalar(
        live, "select available from member_balances where member_id = :m", m=member_id
    )
    assert available == 40 * 10 + 100
    assert_ledger_invariants(live)


def test_one_receipt_sent_many_times_at_once_counts_once(live: LiveApi) -> None:
    apply(live)
    member_id = str(enrol(live.admin, email="race-resend@example.pl")["member_id"])
    body = sale(member_id, "RESENT-1")
    statuses = race([partial(send, live.pos, body, f"same-{n}") for n in range(30)])
    assert sorted(statuses) == [200] * 29 + [201]  # one recorded, the rest resent
    assert rows(
        live, "select progress from challenge_progress where member_id = :m", m=member_id
    ) == [(1,)]
    assert prizes(live, member_id) == []
    assert_ledger_invariants(live)


def test_many_members_at_once_each_complete_once(live: LiveApi) -> None:
    apply(live)
    members = [
        str(enrol(live.admin, email=f"race-many-{i}@example.pl")["member_id"]) for i in range(10)
    ]
    tasks = [
        partial(send, live.pos, sale(m, f"RM-{m[:8]}-{n}"), f"rm-{m}-{n}")
        for m in members
        for n in range(4)
    ]
    assert sorted(race(tasks)) == [201] * 40
    for member_id in members:
        assert [points for _, points in prizes(live, member_id)] == [100], member_id
    completed = scalar(
        live, "select count(*) from challenge_progress where completed_at is not null"
    )
    assert completed == 10
    assert_ledger_invariants(live)
