"""When a lot of points expires, by the programme's expiry policy.

``inactivity`` has no per-lot date: all available points expire when the member
has been inactive for the policy's months (see ``inactivity_deadline``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.expiry import (
    ExpiryPolicy,
    Inactivity,
    LotLifetime,
    NoExpiry,
    PeriodEnd,
)
from loyalo.domain.tiers.qualification import add_months


def lot_expires_at(policy: ExpiryPolicy, earned_at: datetime, zone: ZoneInfo) -> datetime | None:
    if isinstance(policy, NoExpiry | Inactivity):
        return None
    if isinstance(policy, LotLifetime):
        if not policy.months and not policy.days:
            return None
        return add_months(earned_at.astimezone(zone), policy.months) + timedelta(days=policy.days)
    return _period_end(policy, earned_at.astimezone(zone))


def _period_end(policy: PeriodEnd, local: datetime) -> datetime:
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[policy.period]
    start_month = (local.month - 1) // months * months + 1
    start = local.replace(month=start_month, day=1, hour=0, minute=0, second=0, microsecond=0)
    return add_months(start, months * (1 + policy.extra_periods))


def inactivity_deadline(last_activity: datetime, months: int) -> datetime:
    return add_months(last_activity, months)
