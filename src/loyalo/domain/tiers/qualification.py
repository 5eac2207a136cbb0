"""Tier qualification, pure.

* The metric is points earned (net of returns; not adjustments) or money spent
  (net of returns), over the lifetime, a rolling window of ``months`` ending
  now, or the current calendar year in the programme's time zone.
* The tier for a value is the highest level whose threshold the value reaches.
* Upgrades happen at once. A downgrade waits for a review: the end of the
  calendar year, or ``months`` after the member reached the tier for a rolling
  window; never for a lifetime window. A review that finds a lower tier starts
  ``grace_days`` during which the member keeps the tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalo.domain.programme.document.tiers import Tier, TierMetric, TierPolicy, TierWindow


def threshold_units(tier: Tier, policy: TierPolicy, exponent: int) -> int:
    """A tier's threshold in the metric's units: points, or minor units of money."""
    if policy.metric is TierMetric.MONEY_SPENT:
        return int((tier.threshold * (Decimal(10) ** exponent)).to_integral_value())
    return int(tier.threshold)


def tier_for(policy: TierPolicy, value: int, exponent: int) -> Tier:
    reached = policy.levels[0]
    for tier in policy.levels:
        if value >= threshold_units(tier, policy, exponent):
            reached = tier
    return reached


def rank(policy: TierPolicy, tier_id: str | None) -> int:
    for index, tier in enumerate(policy.levels):
        if tier.id == tier_id:
            return index
    return 0


def by_id(policy: TierPolicy, tier_id: str | None) -> Tier:
    return policy.levels[rank(policy, tier_id)]


def window_start(policy: TierPolicy, now: datetime, zone: ZoneInfo) -> datetime | None:
    """The first moment that counts towards the metric; None for a lifetime window."""
    if policy.window is TierWindow.LIFETIME:
        return None
    local = now.astimezone(zone)
    if policy.window is TierWindow.CALENDAR_YEAR:
        return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return add_months(local, -policy.months)


def review_after(policy: TierPolicy, since: datetime, zone: ZoneInfo) -> datetime | None:
    """When a tier reached at ``since`` is reviewed next."""
    local = since.astimezone(zone)
    if policy.window is TierWindow.LIFETIME:
        return None
    if policy.window is TierWindow.CALENDAR_YEAR:
        return local.replace(
            year=local.year + 1, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
        )
    return add_months(local, policy.months)


def add_months(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(moment.day, _days_in(year, month))
    return moment.replace(year=year, month=month, day=day)


def _days_in(year: int, month: int) -> int:
    following = datetime(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


@dataclass(frozen=True, slots=True)
class TierState:
    tier_id: str
    since: datetime
    review_at: datetime | None
    downgrade_at: datetime | None = None
