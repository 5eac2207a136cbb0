"""The window a challenge counts in: once, from ``starts`` to ``ends``, or every week or month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from loyalo.domain.programme.document.gamification import Challenge, RecurringPeriod, aware

ONCE = "once"


@dataclass(frozen=True, slots=True)
class Window:
    key: str  # "once", "2026-W48" or "2026-12": progress is kept per window
    opens: datetime | None  # None: since always
    closes: datetime | None  # exclusive: the deadline; None: never


def week_start(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def period_bounds(period: RecurringPeriod, day: date) -> tuple[date, date]:
    """The first day of the week or month ``day`` falls in, and the first day after it."""
    if period is RecurringPeriod.WEEK:
        first = week_start(day)
        return first, first + timedelta(days=7)
    first = day.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after


def period_key(period: RecurringPeriod, day: date) -> str:
    if period is RecurringPeriod.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def window_at(challenge: Challenge, at: datetime, zone: ZoneInfo) -> Window | None:
    """The window ``at`` counts in, or None when the challenge is not running then."""
    local = at.astimezone(zone)
    starts = aware(challenge.starts, zone) if challenge.starts else None
    ends = aware(challenge.ends, zone) if challenge.ends else None
    if (starts is not None and local < starts) or (ends is not None and local >= ends):
        return None
    if challenge.period is None:
        return Window(ONCE, starts, ends)
    first, after = period_bounds(challenge.period, local.date())
    opens = datetime.combine(first, time(), zone)
    closes = datetime.combine(after, time(), zone)
    return Window(
        period_key(challenge.period, local.date()),
        max(opens, starts) if starts else opens,
        min(closes, ends) if ends else closes,
    )
