"""Races on PostgreSQL, through the real HTTP API, with real threads.

Every test drives a live uvicorn server with up to 200 requests in flight at once
(``tests/support/races.py``: a thread each, released by one barrier, and a client,
a server and a database pool that let them all in), then checks the outcome exactly
and re-checks the ledger's invariants in SQL and with ``verify_ledger``. PostgreSQL
only: SQLite serialises every writer, so it cannot race the way these tests need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.audit import verify_ledger
from loyalo.application.members import MemberDraft
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.support.clock import FakeClock
from tests.support.live_server import live_server
from tests.support.races import race, race_client, race_settings

ACCOUNT_COLUMNS = {"wallet": "available", "pending": "pending", "held": "held", "debt": "debt"}


@dataclass(frozen=True)
class LiveApi:
    container: Container
    db: Engine
    admin: httpx.Client
    pos: httpx.Client


@pytest.fixture
def live(postgres_url: str, tmp_path: Path) -> Iterator[LiveApi]:
    container = build(race_settings(postgres_url, tmp_path), clock=FakeClock())
    admin_key = container.access.create_key("race admin", Role.ADMIN).token
    pos_key = container.access.create_key("race till", Role.POS).token
    db = create_engine(postgres_url)
    try:
        with (
            live_server(build_app(container, scheduler=False)) as base_url,
            race_client(base_url, admin_key) as admin,
            race_client(base_url, pos_key) as pos,
        ):
            yield LiveApi(container, db, admin, pos)
    finally:
        db.dispose()
        container.close()


def member_holding(live: LiveApi, points: int, email: str) -> str:
    member_id = str(enrol(live.admin, email=email)["member_id"])
    if points:
        response = live.admin.post(
            f"/v1/members/id:{member_id}/adjustments",
            json={"points": points, "reason": "race test float"},
        )
        assert response.status_code == 201, response.text
    assert balance(live.admin, member_id) == {
        "available": points,
        "pending": 0,
        "held": 0,
        "debt": 0,
    }
    return member_id


def members_holding(live: LiveApi, points: int, emails: list[str]) -> list[str]:
    """Many members with ``points`` each, set up in one transaction: the race is what follows."""
    container = live.container
    with container.ctx.uow() as uow:
        members = [container.members.enrol(uow, MemberDraft(email=email)) for email in emails]
        for member in members:
            command = AdjustmentCommand(f"id:{member.member_id}", points, "race test float", "test")
            container.adjustments.adjust(uow, command)
        uow.commit()
    return [member.member_id for member in members]


def rows(live: LiveApi, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with live.db.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), params)]


def scalar(live: LiveApi, sql: str, **params: Any) -> Any:
    with live.db.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def assert_ledger_invariants(live: LiveApi) -> None:
    """The accounting identities, recomputed in SQL, then the full chain audit."""
    unbalanced = rows(
        live, "select entry_id from postings group by entry_id having sum(points) <> 0"
    )
    assert unbalanced == []
    assert scalar(live, "select coalesce(sum(points), 0) from postings") == 0

    stored = {
        member_id: {"available": a, "pending": p, "held": h, "debt": d, "seq": s}
        for member_id, a, p, h, d, s in rows(
            live,
            "select member_id, available, pending, held, debt, chain_seq from member_balances",
        )
    }
    derived: dict[str, dict[str, int]] = {
        member_id: {"available": 0, "pending": 0, "held": 0, "debt": 0} for member_id in stored
    }
    for member_id, account, total in rows(
        live,
        "select member_id, account, sum(points) from postings "
        "where account in ('wallet', 'pending', 'held', 'debt') group by member_id, account",
    ):
        derived[member_id][ACCOUNT_COLUMNS[account]] = int(total)
    for member_id, columns in stored.items():
        balances = {name: columns[name] for name in ("available", "pending", "held", "debt")}
        assert balances == derived[member_id], member_id
        assert min(balances["available"], balances["pending"], balances["held"]) >= 0, member_id
        assert balances["debt"] <= 0, member_id

    chains = {
        member_id: (count, low, high)
        for member_id, count, low, high in rows(
            live,
            "select member_id, count(*), min(seq), max(seq) from journal_entries "
            "group by member_id",
        )
    }
    for member_id, columns in stored.items():
        count, low, high = chains.get(member_id, (0, None, None))
        assert count == columns["seq"], member_id  # no gaps, no duplicates: 1..N
        if count:
            assert (low, high) == (1, count), member_id

    # A resolved reservation has exactly one hold and exactly one commit or release
    # entry; an open one has only its hold.
    for hold_id, status, holds, commits, releases in rows(
        live,
        "select r.hold_id, r.status, "
        "count(*) filter (where e.kind = 'hold'), "
        "count(*) filter (where e.kind = 'commit'), "
        "count(*) filter (where e.kind = 'release') "
        "from reservations r join journal_entries e "
        "on e.source_type = 'reservation' and e.source_id = r.hold_id "
        "group by r.hold_id, r.status",
    ):
        expected = {
            "open": (1, 0, 0),
            "committed": (1, 1, 0),
            "released": (1, 0, 1),
            "expired": (1, 0, 1),
        }[status]
        assert (holds, commits, releases) == expected, (hold_id, status)
    assert (
        scalar(
            live,
            "select count(*) from reservations r where not exists (select 1 from journal_entries e "
            "where e.source_type = 'reservation' and e.source_id = r.hold_id)",
        )
        == 0
    )

    report = verify_ledger(live.container.ctx)
    assert report.findings == []
    assert report.members_checked == len(stored)


# -- 1. Redemptions never overspend ---------------------------------------------------


@pytest.mark.parametrize(
    ("points_per_attempt", "successes_per_member", "left_over"),
    [(1, 10, 0), (3, 3, 1)],
    ids=["1-point-redemptions", "3-point-redemptions"],
)
def test_concurrent_redemptions_never_spend_more_than_the_member_holds(
    live: LiveApi, points_per_attempt: int, successes_per_member: int, left_over: int
) -> None:
    # Given five members holding exactly 10 points each
    members = [member_holding(live, 10, f"redeem{i}@example.pl") for i in range(5)]
    attempts = 200

    def redeem(member_id: str) -> tuple[str, str]:
        held = live.pos.post(
            "/v1/reservations", json={"member": member_id, "points": points_per_attempt}
        )
        if held.status_code == 409:
            body = assert_problem(held, 409, "insufficient-points")
            assert body["available"] < points_per_attempt
            return member_id, "refused"
        assert held.status_code == 201, held.text
        hold = held.json()
        committed = live.pos.post(f"/v1/reservations/{hold['reservation_id']}/commit")
        assert committed.status_code == 200, committed.text
        assert committed.json()["status"] == "committed"
        assert committed.json()["committed_points"] == points_per_attempt
        return member_id, "committed"

    # When 200 reserve-then-commit attempts race, spread evenly over the members
    outcomes = race([partial(redeem, members[i % 5]) for i in range(attempts)])

    # Then each member spent exactly what they held, and no more
    counts = Counter(outcomes)
    per_member = attempts // len(members)
    for member_id in members:
        assert counts[(member_id, "committed")] == successes_per_member
        assert counts[(member_id, "refused")] == per_member - successes_per_member
        assert balance(live.pos, member_id) == {
            "available": left_over,
            "pending": 0,
            "held": 0,
            "debt": 0,
        }
    # and a refused reservation left nothing behind: no reservation, no entry
    total_successes = successes_per_member * len(members)
    assert scalar(live, "select count(*) from reservations") == total_successes
    assert scalar(live, "select count(*) from reservations where status = 'committed'") == (
        total_successes
    )
    kinds = dict(rows(live, "select kind, count(*) from journal_entries group by kind"))
    assert kinds == {"adjustment": 5, "hold": total_successes, "commit": total_successes}
    assert scalar(live, "select coalesce(sum(points_remaining), 0) from lots") == (
        left_over * len(members)
    )
    assert_ledger_invariants(live)


# -- 2. A hold resolves once ----------------------------------------------------------


def test_concurrent_commit_and_release_of_one_reservation_resolve_it_once(
    live: LiveApi,
) -> None:
    # Given a member with ten open reservations of 10 points each
    member_id = member_holding(live, 100, "resolve@example.pl")
    holds = []
    for _ in range(10):
        response = live.pos.post("/v1/reservations", json={"member": member_id, "points": 10})
        assert response.status_code == 201, response.text
        holds.append(response.json()["reservation_id"])
    assert balance(live.pos, member_id) == {"available": 0, "pending": 0, "held": 100, "debt": 0}

    def resolve(hold_id: str, action: str) -> tuple[str, str, httpx.Response]:
        return hold_id, action, live.pos.post(f"/v1/reservations/{hold_id}/{action}")

    # When 20 threads per reservation race, half committing and half releasing
    outcomes = race(
        [
            partial(resolve, hold_id, "commit" if i % 2 else "release")
            for i in range(20)
            for hold_id in holds
        ]
    )

    # Then exactly one request per reservation wins; every other one is refused
    winners: dict[str, str] = {}
    for hold_id, action, response in outcomes:
        if response.status_code == 200:
            assert hold_id not in winners, f"{hold_id} resolved twice"
            winners[hold_id] = action
            expected = "committed" if action == "commit" else "released"
            assert response.json()["status"] == expected
        else:
            assert_problem(response, 409, "reservation-already-resolved")
    assert set(winners) == set(holds)
    statuses = dict(rows(live, "select hold_id, status from reservations"))
    assert statuses == {
        hold_id: ("committed" if action == "commit" else "released")
        for hold_id, action in winners.items()
    }
    # and the balance reflects exactly the winners
    committed = sum(1 for action in winners.values() if action == "commit")
    assert balance(live.pos, member_id) == {
        "available": 100 - 10 * committed,
        "pending": 0,
        "held": 0,
        "debt": 0,
    }
    kinds = dict(rows(live, "select kind, count(*) from journal_entries group by kind"))
    assert kinds.get("commit", 0) == committed
    assert kinds.get("release", 0) == 10 - committed
    assert kinds["hold"] == 10
    assert_ledger_invariants(live)


# -- 3. One Idempotency-Key, many senders ---------------------------------------------


def test_the_same_idempotency_key_from_many_threads_records_one_purchase(
    live: LiveApi,
) -> None:
    # Given a member and one purchase body with one Idempotency-Key
    member_id = member_holding(live, 0, "idem-race@example.pl")
    body = purchase_body(member_id, [("A", 1, "42.00")], receipt="IDEM-RACE-1")
    headers = {"Idempotency-Key": "till-7-sale-1"}

    # When 20 threads send it at once
    responses = race([lambda: live.pos.post("/v1/purchases", json=body, headers=headers)] * 20)

    # Then one request did the work and every other one got its stored response
    fresh = [
        r for r in responses if r.status_code != 409 and "Idempotent-Replayed" not in r.headers
    ]
    assert len(fresh) == 1
    assert fresh[0].status_code == 201, fresh[0].text
    original = fresh[0].json()
    assert original["points_earned"] == 42
    assert original["replayed"] is False
    for response in responses:
        if response.status_code == 409:  # acceptable: the first was still running
            assert_problem(response, 409, "request-in-progress")
            continue
        assert response.status_code == 201, response.text
        assert response.json() == original
        if response is not fresh[0]:
            assert response.headers["Idempotent-Replayed"] == "true"
    # and the points were earned once
    assert scalar(live, "select count(*) from purchases") == 1
    assert scalar(live, "select count(*) from idempotency_keys") == 1
    assert rows(live, "select kind, source_id from journal_entries") == [
        ("earn", original["purchase_id"])
    ]
    assert balance(live.pos, member_id) == {"available": 42, "pending": 0, "held": 0, "debt": 0}
    assert_ledger_invariants(live)


# -- 4. One receipt, many keys --------------------------------------------------------


def test_the_same_receipt_under_different_keys_earns_once(live: LiveApi) -> None:
    # Given a member and one receipt
    member_id = member_holding(live, 0, "receipt-race@example.pl")
    body = purchase_body(member_id, [("A", 2, "12.50")], receipt="SAME-RECEIPT", store="krk-02")

    # When 20 threads send it at once, each with its own Idempotency-Key
    def send(key: str) -> httpx.Response:
        return live.pos.post("/v1/purchases", json=body, headers={"Idempotency-Key": key})

    responses = race([partial(send, f"till-{i}") for i in range(20)])

    # Then exactly one recorded it and the others were told it was already recorded
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 200: 19}, [r.text for r in responses if r.status_code >= 400]
    purchase_ids = {r.json()["purchase_id"] for r in responses}
    assert len(purchase_ids) == 1
    for response in responses:
        assert "Idempotent-Replayed" not in response.headers  # each key is new
        replay = response.json()
        assert replay["replayed"] is (response.status_code == 200)
        assert replay["points_earned"] == 25
        if replay["replayed"]:
            assert [e["kind"] for e in replay["effects"]] == ["duplicate_receipt"]
    # and the points were earned once
    assert scalar(live, "select count(*) from purchases") == 1
    assert scalar(live, "select count(*) from purchase_lines") == 1
    assert rows(live, "select kind, source_id from journal_entries") == [
        ("earn", purchase_ids.pop())
    ]
    assert balance(live.pos, member_id) == {"available": 25, "pending": 0, "held": 0, "debt": 0}
    assert_ledger_invariants(live)


# -- 5. Many purchases, one member ----------------------------------------------------


def test_concurrent_purchases_for_one_member_all_count_and_chain_without_gaps(
    live: LiveApi,
) -> None:
    # Given a member with nothing yet
    member_id = member_holding(live, 0, "many@example.pl")
    amounts = list(range(1, 31))

    # When 30 different receipts for that member are posted at once
    def buy(amount: int) -> httpx.Response:
        body = purchase_body(member_id, [("A", 1, f"{amount}.00")], receipt=f"MANY-{amount}")
        return live.pos.post("/v1/purchases", json=body)

    responses = race([partial(buy, amount) for amount in amounts])

    # Then every one earned its points
    assert [r.status_code for r in responses] == [201] * 30, [r.text for r in responses]
    assert sorted(r.json()["points_earned"] for r in responses) == amounts
    assert balance(live.pos, member_id) == {
        "available": sum(amounts),
        "pending": 0,
        "held": 0,
        "debt": 0,
    }
    # and the member's chain runs 1..30 with no gap and no fork
    seqs = [seq for (seq,) in rows(live, "select seq from journal_entries order by seq")]
    assert seqs == list(range(1, 31))
    assert scalar(live, "select chain_seq from member_balances") == 30
    assert scalar(live, "select count(*) from purchases") == 30
    assert_ledger_invariants(live)


# -- 6. Many members, one campaign budget ---------------------------------------------

BUDGET_POINTS = 250
CAMPAIGN_POINTS = 3  # per purchase: 83 whole awards are 249, the 84th is capped at 1


def test_purchases_racing_for_a_campaign_budget_give_exactly_the_budget(live: LiveApi) -> None:
    # Given a campaign of 3 points a purchase with a budget of 250, and no base rate
    programme = {
        "currency": "PLN",
        "pending_days": 0,
        "earning": {"points": 0, "per": "1.00"},
        "rules": [
            {
                "id": "opening-week",
                "name": "3 points a purchase in the opening week",
                "limits": {"budget_points": BUDGET_POINTS},
                "effect": {"type": "points", "points": CAMPAIGN_POINTS},
            }
        ],
    }
    applied = live.admin.put("/v1/programme", json=programme)
    assert applied.status_code == 201, applied.text
    members = [member_holding(live, 0, f"budget{i}@example.pl") for i in range(100)]

    # When 100 members buy at once: demand is 300 points
    def buy(index: int) -> httpx.Response:
        body = purchase_body(members[index], [("A", 1, "10.00")], receipt=f"BUDGET-{index}")
        return live.pos.post("/v1/purchases", json=body)

    responses = race([partial(buy, index) for index in range(100)])

    # Then every purchase is recorded; 83 got the whole award, one the rest, 16 nothing
    assert [r.status_code for r in responses] == [201] * 100, [r.text for r in responses]
    earned = Counter(r.json()["points_earned"] for r in responses)
    assert earned == {CAMPAIGN_POINTS: 83, 1: 1, 0: 16}
    capped = [
        effect
        for r in responses
        for effect in r.json()["effects"]
        if effect["rule_id"] == "opening-week" and effect["points"] == 1
    ]
    assert len(capped) == 1
    assert "capped by the campaign budget" in capped[0]["description"]
    # and the budget, the ledger and the balances all say exactly 250
    assert scalar(live, "select points_given from rule_budgets where rule_id = 'opening-week'") == (
        BUDGET_POINTS
    )
    assert (
        scalar(
            live,
            "select sum(p.points) from postings p join journal_entries e using (entry_id) "
            "where e.rule_id = 'opening-week' and p.account in ('wallet', 'pending', 'debt')",
        )
        == BUDGET_POINTS
    )
    assert scalar(live, "select count(*) from journal_entries where rule_id = 'opening-week'") == 84
    assert scalar(live, "select sum(available) from member_balances") == BUDGET_POINTS
    assert scalar(live, "select count(*) from purchases") == 100
    assert_ledger_invariants(live)
