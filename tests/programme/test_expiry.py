"""Pending points and every expiry policy, with exact numbers, on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from loyalo.bootstrap.container import Container
from loyalo.domain.ledger.accounts import AccountKind
from loyalo.domain.ledger.journal import EntryKind
from tests.programme.support import apply, balance, buy, enrol, give_back
from tests.support.clock import FakeClock


def expired_points(container: Container, member_id: str) -> int:
    """Points the member's expiry entries moved to the breakage account."""
    with container.ctx.uow() as uow:
        entries = uow.ledger.history(member_id, 1000, None)
    return sum(
        posting.points
        for stored in entries
        if stored.entry.kind is EntryKind.EXPIRY
        for posting in stored.entry.postings
        if posting.account is AccountKind.BREAKAGE
    )


def test_pending_points_mature_and_a_return_inside_the_window_takes_them_back(
    container: Container, clock: FakeClock
) -> None:
    apply(container, currency="PLN", pending_days=14)
    member = enrol(container, email="pending@example.pl")
    kept = buy(container, member, 10000)
    returned = buy(container, member, 5000)
    assert balance(container, member) == (0, 150)
    give_back(container, returned.purchase.purchase_id)
    assert balance(container, member) == (0, 100)  # never spendable
    clock.advance(timedelta(days=13))
    run_due(container.ctx)
    assert balance(container, member) == (0, 100)
    clock.advance(timedelta(days=1))
    run_due(container.ctx)
    run_due(container.ctx)  # idempotent
    assert balance(container, member) == (100, 0)
    assert kept.purchase.points_earned == 100
    assert verify_ledger(container.ctx).ok


@pytest.mark.parametrize(
    ("expiry", "steps", "left"),
    [
        ({"policy": "none"}, [(800, 0)], 300),
        ({"policy": "lifetime", "months": 12}, [(340, 0)], 200),
        ({"policy": "lifetime", "months": 12}, [(400, 0)], 0),
        ({"policy": "inactivity", "months": 6}, [(100, 50), (200, 0)], 0),
        ({"policy": "inactivity", "months": 6}, [(150, 50), (150, 0)], 300),
        ({"policy": "period_end", "period": "year"}, [(310, 0)], 0),
        ({"policy": "period_end", "period": "year", "extra_periods": 1}, [(310, 0)], 300),
    ],
    ids=["none", "lifetime-oldest", "lifetime-all", "inactive", "active", "year", "next-year"],
)
def test_expiry_policies(
    container: Container,
    clock: FakeClock,
    expiry: dict[str, Any],
    steps: list[tuple[int, int]],
    left: int,
) -> None:
    """100 points on 2026-03-01 and 200 on 2026-04-01; then (days later, a purchase of
    ``minor`` that earns nothing but counts as activity) steps, running the jobs."""
    apply(container, currency="PLN", expiry=expiry)
    member = enrol(container, email="exp@example.pl")
    buy(container, member, 10000)
    clock.advance(timedelta(days=31))
    buy(container, member, 20000)
    for days, minor in steps:
        clock.advance(timedelta(days=days))
        if minor:
            buy(container, member, minor)
        run_due(container.ctx)
        run_due(container.ctx)  # idempotent
    assert balance(container, member) == (left, 0)
    assert expired_points(container, member.member_id) == 300 - left
    report = verify_ledger(container.ctx)
    assert report.ok, report
