"""Monthly acquisition cohorts: a member joins the cohort of the month of their first purchase.

The query counts, for each cohort and each month since acquisition, the
members who bought and what they spent; this module reads the cohorts' sizes
from it, makes the full triangle (a month nobody bought in is a zero, not a gap)
and the retention share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class CohortActivity:
    """What the members of one cohort did in one month (``months_since`` 0 = the cohort's own)."""

    cohort_month: date
    months_since: int
    active_members: int
    revenue_minor: int


@dataclass(frozen=True, slots=True)
class CohortMonth:
    cohort_month: date
    months_since: int
    members: int  # the cohort's size
    active_members: int  # members of the cohort who bought in that month
    revenue_minor: int

    @property
    def retention(self) -> float:
        return self.active_members / self.members


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def cohort_sizes(activity: Iterable[CohortActivity]) -> dict[date, int]:
    """Each cohort's size: its members all bought in its own month (``months_since`` 0)."""
    return {a.cohort_month: a.active_members for a in activity if a.months_since == 0}


def cohort_triangle(
    sizes: dict[date, int], activity: Iterable[CohortActivity], last_month: date
) -> list[CohortMonth]:
    """Every (cohort, month since) from the cohort's month to ``last_month``, in order."""
    found = {(a.cohort_month, a.months_since): a for a in activity}
    rows: list[CohortMonth] = []
    for cohort in sorted(sizes):
        for since in range(months_between(cohort, month_start(last_month)) + 1):
            cell = found.get((cohort, since))
            active, revenue = (cell.active_members, cell.revenue_minor) if cell else (0, 0)
            rows.append(CohortMonth(cohort, since, sizes[cohort], active, revenue))
    return rows
