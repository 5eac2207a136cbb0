"""Coupons raced on PostgreSQL through the real HTTP API, with real threads.

A personal code sent with many purchases at once is used by exactly one of them;
a shared code with N uses left is used exactly N times; every other purchase is
refused whole (``/problems/coupon-not-applicable``) and leaves nothing behind.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

from tests.api.helpers import enrol, purchase_body
from tests.concurrency.test_postgres_races import (  # noqa: F401 (live: the fixture)
    LiveApi,
    assert_ledger_invariants,
    live,
    race,
    rows,
    scalar,
)

VALID = {"valid_from": "2026-01-01T00:00:00Z", "valid_until": "2026-12-31T00:00:00Z"}


def batch(live: LiveApi, **fields: Any) -> list[str]:
    body = {"name": "race", "benefit": {"type": "discount", "percent": "10"}, **VALID, **fields}
    response = live.admin.post("/v1/coupon-batches", json=body)
    assert response.status_code == 201, response.text
    return [c["code"] for c in response.json()["codes"]]


def buy_with(live: LiveApi, member_id: str, code: str, receipt: str) -> tuple[int, str | None]:
    body = purchase_body(member_id, [("A", 1, "100.00")], receipt=receipt)
    body["codes"] = [code]
    response = live.pos.post("/v1/purchases", json=body, headers={"Idempotency-Key": receipt})
    reason = response.json().get("reason") if response.status_code != 201 else None
    return response.status_code, reason


def assert_nothing_half_written(live: LiveApi, succeeded: int) -> None:
    assert scalar(live, "select count(*) from purchases") == succeeded
    assert scalar(live, "select count(*) from coupon_uses") == succeeded
    assert scalar(live, "select coalesce(sum(points_earned), 0) from purchases") == 90 * succeeded
    assert_ledger_invariants(live)


def test_a_personal_coupon_used_twice_concurrently_succeeds_once(live: LiveApi) -> None:
    member_id = enrol(live.admin, email="race@example.pl")["member_id"]
    (code,) = batch(live, kind="personal", members=[f"id:{member_id}"])
    results = race([partial(buy_with, live, member_id, code, f"R-{i}") for i in range(2)])
    assert Counter(results) == Counter({(201, None): 1, (409, "used-up"): 1})
    assert_nothing_half_written(live, 1)


def test_a_single_use_code_raced_by_fifty_members_is_used_once(live: LiveApi) -> None:
    members = [enrol(live.admin, email=f"m{i}@example.pl")["member_id"] for i in range(50)]
    (code,) = batch(live, kind="personal", count=1)  # a printed single-use code: anyone's
    results = race([partial(buy_with, live, m, code, f"R-{i}") for i, m in enumerate(members)])
    assert Counter(results) == Counter({(201, None): 1, (409, "used-up"): 49})
    assert rows(live, "select uses from coupons") == [(1,)]
    assert_nothing_half_written(live, 1)


def test_a_shared_code_with_five_uses_is_used_five_times(live: LiveApi) -> None:
    members = [enrol(live.admin, email=f"s{i}@example.pl")["member_id"] for i in range(40)]
    (code,) = batch(live, kind="shared", pattern="RACE5", count=1, max_uses=5)
    results = race([partial(buy_with, live, m, code, f"R-{i}") for i, m in enumerate(members)])
    assert Counter(results) == Counter({(201, None): 5, (409, "used-up"): 35})
    assert rows(live, "select uses from coupons") == [(5,)]
    assert_nothing_half_written(live, 5)


def test_one_member_racing_a_per_member_limit_gets_exactly_the_limit(live: LiveApi) -> None:
    member_id = enrol(live.admin, email="limit@example.pl")["member_id"]
    (code,) = batch(live, kind="shared", pattern="TWICE", count=1, per_member_limit=2)
    results = race([partial(buy_with, live, member_id, code, f"R-{i}") for i in range(20)])
    assert Counter(results) == Counter({(201, None): 2, (409, "member-limit-reached"): 18})
    assert_nothing_half_written(live, 2)
