"""A member's activity: daily totals inside the tier window, and money spent ever.

The live path sums ``member_activity_daily`` from the window's first day
(``day >= since``). A replay runs in time order, so each member's window only
ever moves forward: days that fell out of every window still in use are
dropped, and the sums over what is kept are running totals. A replay keeps one
of these per member and side, so the days are packed in arrays (24 bytes a day).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from datetime import date


class Activity:
    __slots__ = ("_days", "_points", "_points_kept", "_spend", "_spend_kept", "spent_minor")

    def __init__(self) -> None:
        self.spent_minor = 0  # ever, net of returns: what the progressive discount reads
        self._days = array("l")  # proleptic ordinals, ascending, one entry per day
        self._spend = array("q")
        self._points = array("q")
        self._spend_kept = 0
        self._points_kept = 0

    def add(self, day: date, spend_minor: int, points: int) -> None:
        self.spent_minor += spend_minor
        self._spend_kept += spend_minor
        self._points_kept += points
        ordinal, days = day.toordinal(), self._days
        if days and days[-1] == ordinal:
            self._spend[-1] += spend_minor
            self._points[-1] += points
        elif not days or days[-1] < ordinal:
            days.append(ordinal)
            self._spend.append(spend_minor)
            self._points.append(points)
        else:  # a day before the last one kept (another programme's time zone)
            self._insert(ordinal, spend_minor, points)

    def forget_before(self, day: date) -> None:
        """Drop the days before ``day``: no window still in use reaches them."""
        cut = bisect_left(self._days, day.toordinal())
        if cut:
            self._spend_kept -= sum(self._spend[:cut])
            self._points_kept -= sum(self._points[:cut])
            del self._days[:cut], self._spend[:cut], self._points[:cut]

    def since(self, day: date | None) -> tuple[int, int]:
        """(money spent, points earned) on ``day`` and after; None: every day kept."""
        if day is None:
            return self._spend_kept, self._points_kept
        cut = bisect_left(self._days, day.toordinal())
        if not cut:
            return self._spend_kept, self._points_kept
        return (
            self._spend_kept - sum(self._spend[:cut]),
            self._points_kept - sum(self._points[:cut]),
        )

    def _insert(self, ordinal: int, spend_minor: int, points: int) -> None:
        at = bisect_left(self._days, ordinal)
        if self._days[at] == ordinal:
            self._spend[at] += spend_minor
            self._points[at] += points
            return
        insort(self._days, ordinal)
        self._spend.insert(at, spend_minor)
        self._points.insert(at, points)
