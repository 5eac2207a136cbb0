"""Referrals raced on PostgreSQL through the real HTTP API, with real threads: the cap
holds when friends join at once, and a friend's first purchase rewards exactly once."""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

import httpx

from loyalo.application.audit import verify_ledger
from tests.api.helpers import balance, enrol, purchase_body
from tests.concurrency.test_postgres_races import (  # noqa: F401 (the fixture)
    LiveApi,
    assert_ledger_invariants,
    live,
    race,
    scalar,
)


def apply(client: httpx.Client, **referrals: Any) -> None:
    document = {"currency": "PLN", "pending_days": 14, "referrals": referrals}
    response = client.put("/v1/programme", json=document)
    assert response.status_code in (200, 201), response.text


def code_of(client: httpx.Client, member_id: str) -> str:
    code: str = client.get(f"/v1/members/id:{member_id}/referral").json()["code"]
    return code


def test_friends_joining_at_once_never_pass_the_cap(live: LiveApi) -> None:
    apply(live.admin, join={"advocate": 30, "friend": 20}, cap={"times": 5, "per": "month"})
    advocate = enrol(live.admin, email="ann@example.pl")["member_id"]
    code = code_of(live.admin, advocate)

    def join(n: int) -> httpx.Response:
        body = {"email": f"friend{n}@example.pl", "referral_code": code}
        return live.admin.post("/v1/members", json=body)

    responses = race([partial(join, n) for n in range(30)])
    assert [r.status_code for r in responses] == [201] * 30
    outcomes = Counter(
        (r.json()["referral"]["status"], r.json()["referral"]["reason"]) for r in responses
    )
    assert outcomes == {("qualified", None): 5, ("refused", "cap-reached"): 25}
    assert balance(live.admin, advocate)["pending"] == 5 * 30
    assert scalar(live, "select count(*) from referral_rewards") == 10
    assert_ledger_invariants(live)


def test_a_friend_buying_at_once_on_many_tills_qualifies_the_referral_once(
    live: LiveApi,
) -> None:
    apply(live.admin, first_purchase={"advocate": 100, "friend": 10})
    advocate = enrol(live.admin, email="ann@example.pl")["member_id"]
    friend = enrol(live.admin, email="bob@example.pl", referral_code=code_of(live.admin, advocate))
    friend_id = friend["member_id"]

    def buy(member_id: str, receipt: str) -> httpx.Response:
        body = purchase_body(member_id, [("SKU", 1, "10.00")], receipt=receipt)
        return live.pos.post("/v1/purchases", json=body)

    # the friend's first purchases race each other and the advocate's own purchases,
    # which lock the advocate alone: the lock order friend -> advocate cannot deadlock
    tasks = [partial(buy, friend_id, f"F-{n}") for n in range(20)]
    tasks += [partial(buy, friend_id, "F-0") for _ in range(5)]  # the same receipt resent
    tasks += [partial(buy, advocate, f"A-{n}") for n in range(20)]
    responses = race(tasks)
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert balance(live.admin, advocate)["pending"] == 100 + 20 * 10
    assert balance(live.admin, friend_id)["pending"] == 10 + 20 * 10
    assert scalar(live, "select count(*) from referral_rewards") == 2
    assert scalar(live, "select status from referrals") == "qualified"
    assert_ledger_invariants(live)
    assert verify_ledger(live.container.ctx).ok
