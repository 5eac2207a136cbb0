"""Redemptions racing on PostgreSQL through the real HTTP API, with real threads, 200
attempts in flight at once: no oversold stock, no limit exceeded, no double redemption,
points burned exactly for the redemptions that happened (docs/guide/catalogue.md, "Under
concurrency")."""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

import httpx

from tests.api.helpers import assert_problem, balance
from tests.concurrency.test_postgres_races import (
    LiveApi,
    assert_ledger_invariants,
    member_holding,
    members_holding,
    rows,
    scalar,
)
from tests.support.races import ATTEMPTS, race

RACE_PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "rewards": [
        {
            "id": "limited",
            "name": "Limited edition",
            "points": 10,
            "benefit": {"type": "gift"},
            "stock": 50,
            "limits": {"per_member": {"times": 1, "per": "ever"}},
        },
        {
            "id": "weekly",
            "name": "Weekly allocation",
            "points": 10,
            "benefit": {"type": "free_delivery"},
            "limits": {"total": {"times": 30, "per": "week"}},
        },
        {
            "id": "thrice",
            "name": "Three per member",
            "points": 5,
            "benefit": {"type": "discount", "amount": "5.00"},
            "limits": {"per_member": {"times": 3, "per": "month"}},
        },
        {
            "id": "coffee",
            "name": "A free coffee",
            "points": 30,
            "benefit": {"type": "free_product", "sku": "COFFEE"},
        },
    ],
}


def redeem(
    client: httpx.Client, member_id: str, reward: str, key: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/v1/members/id:{member_id}/redemptions", json={"reward": reward}, headers=headers
    )


def apply(live: LiveApi) -> None:
    response = live.admin.put("/v1/programme", json=RACE_PROGRAMME)
    assert response.status_code in (200, 201), response.text


def assert_redeemed(
    live: LiveApi,
    reward: str,
    members: list[str],
    winners: set[str],
    *,
    times: int = 1,
    price: int = 10,
) -> None:
    """Exactly the winners redeemed, ``times`` each, and paid exactly the price."""
    redeemed = rows(live, "select member_id from redemptions where reward_id = :r", r=reward)
    assert Counter(member_id for (member_id,) in redeemed) == Counter(dict.fromkeys(winners, times))
    burned = scalar(
        live,
        "select coalesce(sum(p.points), 0) from postings p join journal_entries e "
        "on e.entry_id = p.entry_id where e.kind = 'redeem' and p.account = 'redemption' "
        "and e.source_id in (select redemption_id from redemptions where reward_id = :r)",
        r=reward,
    )
    assert burned == price * times * len(winners)
    coupons = scalar(
        live,
        "select count(*) from coupons where source_type = 'redemption' and source_id in "
        "(select redemption_id from redemptions where reward_id = :r)",
        r=reward,
    )
    assert coupons == times * len(winners)


def test_200_members_race_for_50_units_then_for_a_weekly_allocation_of_30(live: LiveApi) -> None:
    apply(live)
    members = members_holding(live, 100, [f"racer{i}@example.pl" for i in range(ATTEMPTS)])

    responses = race([partial(redeem, live.pos, m, "limited") for m in members])
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 50, 409: 150}
    refused = {
        tuple(x["reason"] for x in r.json()["reasons"]) for r in responses if r.status_code == 409
    }
    assert refused == {("out-of-stock",)}
    winners = {m for m, r in zip(members, responses, strict=True) if r.status_code == 201}
    assert scalar(live, "select taken from reward_stock where reward_id = 'limited'") == 50
    assert_redeemed(live, "limited", members, winners)

    responses = race([partial(redeem, live.pos, m, "weekly") for m in members])
    assert Counter(r.status_code for r in responses) == {201: 30, 409: 170}
    weekly = {m for m, r in zip(members, responses, strict=True) if r.status_code == 201}
    assert scalar(live, "select times from reward_counters where reward_id = 'weekly'") == 30
    assert_redeemed(live, "weekly", members, weekly)

    for member_id in members:
        paid = 10 * ((member_id in winners) + (member_id in weekly))
        assert balance(live.admin, member_id)["available"] == 100 - paid
    assert_ledger_invariants(live)


def reasons(response: httpx.Response) -> list[str]:
    problem = assert_problem(response, 409, "reward-not-redeemable")
    return [refusal["reason"] for refusal in problem["reasons"]]


def test_one_member_with_points_for_seven_coffees_gets_exactly_seven_of_200(
    live: LiveApi,
) -> None:
    apply(live)
    member_id = member_holding(live, 7 * 30 + 29, "thirsty@example.pl")  # 239: seven, not eight
    responses = race([partial(redeem, live.pos, member_id, "coffee") for _ in range(ATTEMPTS)])
    assert Counter(r.status_code for r in responses) == {201: 7, 409: ATTEMPTS - 7}
    refused = [r for r in responses if r.status_code == 409]
    assert {tuple(reasons(r)) for r in refused} == {("not-enough-points",)}
    made = [r.json() for r in responses if r.status_code == 201]
    assert len({m["redemption_id"] for m in made}) == 7
    assert len({m["coupon"]["code"] for m in made}) == 7
    # each success saw the balance the one before it left: 209, 179, ... 29
    assert sorted(m["balance"]["available"] for m in made) == [29 + 30 * n for n in range(7)]
    assert balance(live.admin, member_id) == {"available": 29, "pending": 0, "held": 0, "debt": 0}
    assert scalar(live, "select count(*) from redemptions") == 7
    assert scalar(live, "select count(*) from coupons") == 7
    assert dict(rows(live, "select kind, count(*) from journal_entries group by kind")) == {
        "adjustment": 1,
        "redeem": 7,
    }
    assert scalar(live, "select sum(points) from postings where account = 'redemption'") == 210
    assert scalar(live, "select sum(points_remaining) from lots") == 29
    assert_redeemed(live, "coffee", [member_id], {member_id}, times=7, price=30)
    assert_ledger_invariants(live)


def test_one_member_racing_200_times_never_passes_their_limit(live: LiveApi) -> None:
    apply(live)
    member_id = member_holding(live, 1000, "greedy@example.pl")
    responses = race([partial(redeem, live.pos, member_id, "thrice") for _ in range(ATTEMPTS)])
    assert Counter(r.status_code for r in responses) == {201: 3, 409: ATTEMPTS - 3}
    refused = [r for r in responses if r.status_code == 409]
    assert {tuple(reasons(r)) for r in refused} == {("member-limit",)}
    assert balance(live.admin, member_id)["available"] == 1000 - 3 * 5
    assert scalar(live, "select count(*) from redemptions") == 3
    assert scalar(live, "select times from reward_counters where reward_id = 'thrice'") == 3
    assert_redeemed(live, "thrice", [member_id], {member_id}, times=3, price=5)
    assert_ledger_invariants(live)


def test_200_sends_of_one_idempotency_key_redeem_once_and_replay_the_same_response(
    live: LiveApi,
) -> None:
    apply(live)
    member_id = member_holding(live, 1000, "twice@example.pl")
    responses = race(
        [partial(redeem, live.pos, member_id, "thrice", "same-key") for _ in range(ATTEMPTS)]
    )
    assert Counter(r.status_code for r in responses) == {201: ATTEMPTS}
    fresh = [r for r in responses if "Idempotent-Replayed" not in r.headers]
    assert len(fresh) == 1
    original = fresh[0].json()
    assert (original["points"], original["balance"]["available"]) == (5, 995)
    for response in responses:
        assert response.json() == original
        if response is not fresh[0]:
            assert response.headers["Idempotent-Replayed"] == "true"
    assert scalar(live, "select count(*) from idempotency_keys") == 1
    assert scalar(live, "select count(*) from redemptions") == 1
    assert scalar(live, "select count(*) from coupons") == 1
    assert scalar(live, "select count(*) from journal_entries where kind = 'redeem'") == 1
    assert balance(live.admin, member_id)["available"] == 995
    assert_ledger_invariants(live)


def test_a_redemption_cancelled_by_many_admins_at_once_gives_back_once(live: LiveApi) -> None:
    apply(live)
    member_id = member_holding(live, 100, "undo@example.pl")
    made = redeem(live.pos, member_id, "thrice")
    assert made.status_code == 201, made.text
    cancel = f"/v1/redemptions/{made.json()['redemption_id']}/cancel"
    responses = race([partial(live.admin.post, cancel) for _ in range(30)])
    assert Counter(r.status_code for r in responses) == {200: 1, 409: 29}
    assert balance(live.admin, member_id)["available"] == 100
    assert scalar(live, "select count(*) from journal_entries where kind = 'redeem_cancel'") == 1
    assert scalar(live, "select times from reward_counters where reward_id = 'thrice'") == 0
    assert_ledger_invariants(live)
