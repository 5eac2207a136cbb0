"""The period and the filters of a KPI query.

A period is a range of whole UTC days, both ends included; the KPIs read it as
the half-open interval [start 00:00, day after end 00:00). The previous period
is the one of equal length just before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from loyalo.domain.errors import InvalidAnalyticsQuery

MAX_DAYS = 3_660
_SAFE = re.compile(r"[\w .:@-]{1,128}")


@dataclass(frozen=True, slots=True)
class Period:
    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidAnalyticsQuery(f"the period ends ({self.last_day}) before it starts")
        if self.days > MAX_DAYS:
            raise InvalidAnalyticsQuery(f"a period is at most {MAX_DAYS} days")

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last_day + timedelta(days=1), time(), UTC)

    def previous(self) -> Period:
        length = timedelta(days=self.days)
        return Period(self.first_day - length, self.last_day - length)


@dataclass(frozen=True, slots=True)
class KpiFilters:
    """Optional filters: the purchase's channel and store; the member's current tier and flag."""

    channel: str | None = None
    store: str | None = None
    tier: str | None = None
    flag: str | None = None

    def __post_init__(self) -> None:
        for name in ("channel", "store", "tier", "flag"):
            value = getattr(self, name)
            if value is not None and not _SAFE.fullmatch(value):
                raise InvalidAnalyticsQuery(
                    f"{name} may hold letters, digits, spaces and _ . : @ - (1 to 128)",
                    field=name,
                )


DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 366


def check_window_days(days: int) -> int:
    """The days before and after joining that spend around joining and the matched baseline
    compare: 1 to 366."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise InvalidAnalyticsQuery(
            f"window_days is 1 to {MAX_WINDOW_DAYS}, not {days}", field="window_days"
        )
    return days
