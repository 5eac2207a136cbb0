"""The pure period arithmetic of paid memberships: exact tables, and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import MembershipNotActive
from loyalo.domain.memberships.periods import add_months, period_span
from loyalo.domain.memberships.subscription import (
    Change,
    MembershipStatus,
    Subscription,
    cancel,
    lapse,
    pay,
)
from loyalo.domain.programme.document.memberships import BillingPeriod, MembershipPlan

MONTHLY = MembershipPlan(id="club", name="Club", fee="19.00", period="month", grace_days=3)
YEARLY = MembershipPlan(id="club", name="Club", fee="199.00", period="year")
MONTH, YEAR = BillingPeriod.MONTH, BillingPeriod.YEAR


@pytest.mark.parametrize(
    ("anchor", "period", "number", "starts_on", "ends_on"),
    [
        # a month from the 31st: clamped to the month's last day, never drifting to the 28th
        (date(2026, 1, 31), MONTH, 1, date(2026, 1, 31), date(2026, 2, 28)),
        (date(2026, 1, 31), MONTH, 2, date(2026, 2, 28), date(2026, 3, 31)),
        (date(2026, 1, 31), MONTH, 3, date(2026, 3, 31), date(2026, 4, 30)),
        (date(2026, 1, 31), MONTH, 4, date(2026, 4, 30), date(2026, 5, 31)),
        (date(2028, 1, 31), MONTH, 1, date(2028, 1, 31), date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 30), MONTH, 1, date(2026, 1, 30), date(2026, 2, 28)),
        (date(2026, 3, 15), MONTH, 1, date(2026, 3, 15), date(2026, 4, 15)),
        (date(2026, 12, 31), MONTH, 1, date(2026, 12, 31), date(2027, 1, 31)),  # over a year end
        (date(2026, 12, 31), MONTH, 2, date(2027, 1, 31), date(2027, 2, 28)),
        (date(2026, 5, 31), MONTH, 1, date(2026, 5, 31), date(2026, 6, 30)),
        (date(2026, 5, 31), MONTH, 2, date(2026, 6, 30), date(2026, 7, 31)),
        (date(2026, 3, 1), YEAR, 1, date(2026, 3, 1), date(2027, 3, 1)),
        (date(2028, 2, 29), YEAR, 1, date(2028, 2, 29), date(2029, 2, 28)),  # 29 Feb, clamped
        (date(2028, 2, 29), YEAR, 4, date(2031, 2, 28), date(2032, 2, 29)),  # and back again
    ],
)
def test_periods_are_counted_from_the_anchor(
    anchor: date, period: BillingPeriod, number: int, starts_on: date, ends_on: date
) -> None:
    span = period_span(anchor, period, number)

    assert (span.starts_on, span.ends_on) == (starts_on, ends_on)


def _active(anchor: date, periods: int, plan: MembershipPlan = MONTHLY) -> Subscription:
    subscription, _ = pay(None, "m1", plan, anchor)
    for _ in range(periods - 1):
        subscription, _ = pay(subscription, "m1", plan, anchor)
    return subscription


@pytest.mark.parametrize(
    ("paid_on", "change", "anchor_on", "starts_on", "ends_on", "benefits_until"),
    [
        # a club card of 31 January (paid until 28 February, grace to 3 March) paid again:
        # early, on the day its period ends, in the grace: the next period, from the end
        ("2026-02-10", "renewed", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-03"),
        ("2026-02-28", "renewed", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-03"),
        ("2026-03-02", "renewed", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-03"),
        # lapsed (the grace over): a new run from the day paid
        ("2026-03-03", "activated", "2026-03-03", "2026-03-03", "2026-04-03", "2026-04-06"),
        ("2026-06-30", "activated", "2026-06-30", "2026-06-30", "2026-07-30", "2026-08-02"),
    ],
)
def test_a_payment_renews_from_the_paid_end_while_the_run_lasts_else_starts_anew(
    paid_on: str,
    change: str,
    anchor_on: str,
    starts_on: str,
    ends_on: str,
    benefits_until: str,
) -> None:
    current = _active(date(2026, 1, 31), 1)
    assert (current.ends_on, current.benefits_until) == (date(2026, 2, 28), date(2026, 3, 3))

    renewed, made = pay(current, "m1", MONTHLY, date.fromisoformat(paid_on))

    assert made is Change(change)
    dates = (renewed.anchor_on, renewed.starts_on, renewed.ends_on, renewed.benefits_until)
    assert [day.isoformat() for day in dates] == [anchor_on, starts_on, ends_on, benefits_until]
    assert renewed.status is MembershipStatus.ACTIVE


@pytest.mark.parametrize(
    ("day", "status", "gives_benefits", "in_grace"),
    [
        (date(2026, 1, 30), MembershipStatus.ACTIVE, False, False),  # before it started
        (date(2026, 1, 31), MembershipStatus.ACTIVE, True, False),
        (date(2026, 2, 27), MembershipStatus.ACTIVE, True, False),
        (date(2026, 2, 28), MembershipStatus.ACTIVE, True, True),  # paid period over: grace
        (date(2026, 3, 2), MembershipStatus.ACTIVE, True, True),  # the last day of grace
        (date(2026, 3, 3), MembershipStatus.LAPSED, False, False),  # lapsed, computed on read
    ],
)
def test_the_status_on_a_day_is_computed_from_the_dates(
    day: date, status: MembershipStatus, gives_benefits: bool, in_grace: bool
) -> None:
    subscription = _active(date(2026, 1, 31), 1)

    assert subscription.status_on(day) is status
    assert subscription.gives_benefits_on(day) is gives_benefits
    assert subscription.in_grace_on(day) is in_grace


@pytest.mark.parametrize(
    ("day", "benefits_until"),
    [
        (date(2026, 2, 10), date(2026, 2, 28)),  # to the end of the paid period, no grace
        (date(2026, 3, 1), date(2026, 3, 1)),  # in the grace: the benefits stop that day
    ],
)
def test_a_cancel_keeps_the_benefits_to_the_end_of_the_paid_period(
    day: date, benefits_until: date
) -> None:
    cancelled = cancel(_active(date(2026, 1, 31), 1), day)

    assert cancelled.status is MembershipStatus.CANCELLED
    assert cancelled.benefits_until == benefits_until
    assert not cancelled.gives_benefits_on(benefits_until)
    assert cancelled.status_on(benefits_until + timedelta(days=400)) is MembershipStatus.CANCELLED


def test_only_an_active_membership_can_be_cancelled() -> None:
    subscription = _active(date(2026, 1, 31), 1)

    with pytest.raises(MembershipNotActive):
        cancel(subscription, date(2026, 3, 3))  # lapsed by then
    with pytest.raises(MembershipNotActive):
        cancel(cancel(subscription, date(2026, 2, 1)), date(2026, 2, 2))


def test_a_lapse_is_due_only_once_the_grace_has_passed() -> None:
    subscription = _active(date(2026, 1, 31), 1)

    assert lapse(subscription, date(2026, 3, 2)) is None
    lapsed = lapse(subscription, date(2026, 3, 3))
    assert lapsed is not None
    assert lapsed.status is MembershipStatus.LAPSED
    assert lapse(lapsed, date(2026, 3, 4)) is None
    assert pay(lapsed, "m1", MONTHLY, date(2026, 3, 4))[1] is Change.ACTIVATED


def test_a_plan_that_changed_its_period_renews_without_a_gap() -> None:
    monthly = _active(date(2026, 1, 31), 1)

    yearly, change = pay(monthly, "m1", YEARLY, date(2026, 2, 20))

    assert change is Change.RENEWED
    assert (yearly.anchor_on, yearly.ends_on) == (date(2026, 2, 28), date(2027, 2, 28))


@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    number=st.integers(min_value=1, max_value=120),
    period=st.sampled_from(BillingPeriod),
)
def test_periods_follow_each_other_without_gap_or_overlap(
    anchor: date, number: int, period: BillingPeriod
) -> None:
    span = period_span(anchor, period, number)
    following = period_span(anchor, period, number + 1)

    assert span.ends_on == following.starts_on
    days = (span.ends_on - span.starts_on).days
    assert (28 <= days <= 31) if period is MONTH else (365 <= days <= 366)
    assert span.ends_on == add_months(anchor, number * period.months)


@given(
    anchor=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
    early=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=24),
)
def test_renewals_paid_before_the_end_add_exactly_one_period_each(
    anchor: date, early: list[int]
) -> None:
    subscription, _ = pay(None, "m1", MONTHLY, anchor)
    for days_before in early:
        paid_on = max(anchor, subscription.ends_on - timedelta(days=days_before))
        subscription, change = pay(subscription, "m1", MONTHLY, paid_on)
        assert change is Change.RENEWED

    assert subscription.anchor_on == anchor
    assert subscription.periods == len(early) + 1
    assert subscription.ends_on == add_months(anchor, len(early) + 1)
