"""Billing periods, pure date arithmetic in the programme's local dates.

A run of periods is anchored on the day it started (the activation, or the first
payment after a lapse). Period ``k`` (from 1) covers ``[anchor + (k-1) periods,
anchor + k periods)``, the end exclusive: it is the day the next period starts.
Each end is computed from the anchor, not from the previous end, and a day the
month lacks is clamped to its last day, so a plan taken on 31 January is paid
until 28 (or 29) February, then 31 March, then 30 April: the day of the month
never drifts down to the 28th for good.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from loyalo.domain.programme.document.memberships import BillingPeriod


@dataclass(frozen=True, slots=True)
class PeriodSpan:
    starts_on: date
    ends_on: date  # exclusive: the first day not paid for


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the last day of the month reached."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def period_span(anchor: date, period: BillingPeriod, number: int) -> PeriodSpan:
    """The ``number``-th period (from 1) of a run anchored on ``anchor``."""
    if number < 1:
        raise ValueError("periods are numbered from 1")
    months = period.months
    return PeriodSpan(
        add_months(anchor, (number - 1) * months), add_months(anchor, number * months)
    )


def grace_end(ends_on: date, grace_days: int) -> date:
    """The first day without benefits when nobody renews: the period's end plus the grace."""
    return ends_on + timedelta(days=grace_days)
