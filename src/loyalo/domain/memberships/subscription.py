"""A member's subscription to a plan: its status, its current period, how payments move it.

Pure: every function takes the day (in the programme's time zone) it happens on.
Benefits run from the run's anchor to ``benefits_until`` (exclusive): the paid
periods plus the plan's grace while active, the paid periods only once cancelled.
A status is stored as written; ``status_on`` says what it is on a given day, so a
subscription whose grace has passed reads as lapsed even before the lapse job ran.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from loyalo.domain.errors import MembershipNotActive
from loyalo.domain.memberships.periods import grace_end, period_span
from loyalo.domain.programme.document.memberships import BillingPeriod, MembershipPlan


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


class Change(StrEnum):
    """What an entry of the history records."""

    ACTIVATED = "activated"  # a first payment, or the first after a lapse: a new run
    RENEWED = "renewed"  # one more period, from the end of the paid ones
    CANCELLED = "cancelled"
    LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class Subscription:
    member_id: str
    plan_id: str
    status: MembershipStatus
    period: BillingPeriod
    anchor_on: date  # the first day of this run of periods
    periods: int  # periods paid in this run
    starts_on: date  # the latest paid period
    ends_on: date  # exclusive: the first day not paid for
    benefits_until: date  # exclusive: the first day without benefits

    def status_on(self, day: date) -> MembershipStatus:
        if self.status is MembershipStatus.ACTIVE and day >= self.benefits_until:
            return MembershipStatus.LAPSED
        return self.status

    def gives_benefits_on(self, day: date) -> bool:
        if self.status is MembershipStatus.LAPSED:
            return False
        return self.anchor_on <= day < self.benefits_until

    def in_grace_on(self, day: date) -> bool:
        return self.status_on(day) is MembershipStatus.ACTIVE and self.ends_on <= day


def pay(
    current: Subscription | None, member_id: str, plan: MembershipPlan, day: date
) -> tuple[Subscription, Change]:
    """One paid period more: from the end of the paid ones while the run lasts (early, in
    the grace, or cancelled but not yet over), else a new run from ``day``."""
    if current is None or not _continues(current, day):
        return _run(member_id, plan, day, 1), Change.ACTIVATED
    if current.period is not plan.period:  # the plan changed its period: a new run, no gap
        return _run(member_id, plan, current.ends_on, 1), Change.RENEWED
    return _run(member_id, plan, current.anchor_on, current.periods + 1), Change.RENEWED


def _continues(current: Subscription, day: date) -> bool:
    return current.status_on(day) is not MembershipStatus.LAPSED and day < current.benefits_until


def _run(member_id: str, plan: MembershipPlan, anchor: date, periods: int) -> Subscription:
    span = period_span(anchor, plan.period, periods)
    return Subscription(
        member_id=member_id,
        plan_id=plan.id,
        status=MembershipStatus.ACTIVE,
        period=plan.period,
        anchor_on=anchor,
        periods=periods,
        starts_on=span.starts_on,
        ends_on=span.ends_on,
        benefits_until=grace_end(span.ends_on, plan.grace_days),
    )


def cancel(current: Subscription, day: date) -> Subscription:
    """No more renewals: the benefits last to the end of the paid period, without grace
    (cancelled during the grace, they stop that day)."""
    if current.status_on(day) is not MembershipStatus.ACTIVE:
        raise MembershipNotActive(
            f"the {current.plan_id} membership is {current.status_on(day)}",
            plan=current.plan_id,
        )
    until = min(current.benefits_until, max(current.ends_on, day))
    return replace(current, status=MembershipStatus.CANCELLED, benefits_until=until)


def lapse(current: Subscription, day: date) -> Subscription | None:
    """The stored status once the grace has passed unpaid; None while nothing is due."""
    if current.status is MembershipStatus.ACTIVE and day >= current.benefits_until:
        return replace(current, status=MembershipStatus.LAPSED)
    return None


@dataclass(frozen=True, slots=True)
class MembershipEvent:
    """One entry of a subscription's history, append-only."""

    event_id: str
    member_id: str
    plan_id: str
    change: Change
    recorded_at: datetime
    effective_on: date  # the local day it happened on
    starts_on: date | None  # the period paid (activated, renewed); else None
    ends_on: date | None
    amount_minor: int | None
    currency: str | None
    paid_at: datetime | None
    payment_reference: str | None
    programme_version: int
    actor: str | None = None
