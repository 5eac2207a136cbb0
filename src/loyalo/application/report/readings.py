"""The report's query results as domain values: one function per named query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from loyalo.application.analytics.ports import AnalyticsQueries, Row
from loyalo.application.analytics.values import day
from loyalo.domain.analytics.filters import Period
from loyalo.domain.report.cohorts import CohortActivity, add_months, month_start, months_between
from loyalo.domain.report.rfm import MemberRfm


@dataclass(frozen=True, slots=True)
class PointsMonth:
    month: date
    issued: int  # net of points taken back by returns
    redeemed: int
    expired: int
    member_change: int  # the change of what members hold (every member account)


@dataclass(frozen=True, slots=True)
class PointsHistory:
    opening: int  # what members held before the period
    months: tuple[PointsMonth, ...]  # every month of the period, in order

    def closing(self) -> list[int]:
        """What members held at the end of each month."""
        held, total = [], self.opening
        for month in self.months:
            total += month.member_change
            held.append(total)
        return held


def cohort_activity(engine: AnalyticsQueries, p: Mapping[str, object]) -> list[CohortActivity]:
    return [
        CohortActivity(
            day(r["cohort_month"]),
            int(r["months_since"]),
            int(r["active_members"]),
            int(r["revenue_minor"]),
        )
        for r in engine.run("cohort_activity", p)
    ]


def _member(row: Row) -> MemberRfm:
    return MemberRfm(
        member_id=str(row["member_id"]),
        last_purchase=day(row["last_purchase"]),
        frequency=int(row["frequency"]),
        monetary_minor=int(row["monetary_minor"]),
        recency_score=int(row["r"]),
        frequency_score=int(row["f"]),
        monetary_score=int(row["m"]),
    )


def rfm(engine: AnalyticsQueries, p: Mapping[str, object]) -> list[MemberRfm]:
    return sorted((_member(r) for r in engine.run("rfm", p)), key=lambda m: m.member_id)


def points_history(
    engine: AnalyticsQueries, period: Period, p: Mapping[str, object]
) -> PointsHistory:
    opening, found = 0, {}
    for r in engine.run("points_by_month", p):
        if r["bucket"] is None:
            opening = int(r["member_change"])
            continue
        month = day(r["bucket"])
        found[month] = PointsMonth(
            month, int(r["issued"]), int(r["redeemed"]), int(r["expired"]), int(r["member_change"])
        )
    first = month_start(period.first_day)
    count = months_between(first, period.last_day) + 1
    months = (add_months(first, k) for k in range(count))
    return PointsHistory(opening, tuple(found.get(m, PointsMonth(m, 0, 0, 0, 0)) for m in months))
