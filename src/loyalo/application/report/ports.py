"""What the report asks of the analytics store (never of the transactional tables).

Every period is ``first`` to ``last``, both days included, in UTC; money is in
minor units of the programme's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from loyalo.domain.report.cohorts import CohortActivity
from loyalo.domain.report.rfm import MemberRfm


@dataclass(frozen=True, slots=True)
class PointsMonth:
    month: date
    issued: int  # net of points taken back by returns
    redeemed: int
    expired: int
    member_change: int  # the change of what members hold: every member account's postings


@dataclass(frozen=True, slots=True)
class SalesSummary:
    buyers: int  # members who bought in the period
    purchases: int
    revenue_minor: int


class ReportQueries(Protocol):
    def cohort_sizes(self, first: date, last: date) -> dict[date, int]:
        """Members per month of first purchase, for the months of the period."""
        ...

    def cohort_activity(self, first: date, last: date) -> list[CohortActivity]:
        """Buyers and revenue of those cohorts in each month since, up to ``last``."""
        ...

    def rfm(self, first: date, last: date) -> list[MemberRfm]:
        """Every member who bought in the period, scored against the others."""
        ...

    def points_by_month(self, first: date, last: date) -> list[PointsMonth]: ...

    def member_points_before(self, day: date) -> int:
        """What members held before ``day``: the opening balance of the liability."""
        ...

    def sales(self, first: date, last: date) -> SalesSummary: ...
