"""Build the report's tables from the analytics engine's answers."""

from __future__ import annotations

from datetime import date
from typing import Any

from loyalo.application.analytics.ports import AnalyticsQueries
from loyalo.application.context import AppContext
from loyalo.application.report import readings
from loyalo.application.report.ports import Export, LifetimeValues
from loyalo.application.report.readings import PointsHistory
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.errors import ModelNotEstimable
from loyalo.domain.money import Money
from loyalo.domain.programme.terms import ProgrammeTerms
from loyalo.domain.report.cohorts import CohortMonth, cohort_sizes, cohort_triangle
from loyalo.domain.report.data import ReportData, Table, Tile
from loyalo.domain.report.rfm import MemberRfm, segment_totals

COHORT_COLUMNS = (
    "cohort_month",
    "months_since",
    "members",
    "active_members",
    "retention",
    "revenue_minor",
)
RFM_COLUMNS = (
    "member_id",
    "last_purchase",
    "recency_days",
    "frequency",
    "monetary_minor",
    "r",
    "f",
    "m",
    "segment",
)


class ReportService:
    """Each call exports what is new first, unless ``refresh=False`` (the caller just did)."""

    def __init__(
        self,
        ctx: AppContext,
        engine: AnalyticsQueries,
        export: Export,
        lifetime_values: LifetimeValues | None = None,
    ) -> None:
        self._ctx = ctx
        self._engine = engine
        self._export = export
        self._lifetime_values = lifetime_values

    def _fresh(self, refresh: bool) -> AnalyticsQueries:
        if refresh:
            self._export()
        return self._engine

    def build(
        self,
        period: Period,
        filters: KpiFilters | None = None,
        title: str | None = None,
        refresh: bool = True,
    ) -> ReportData:
        with self._ctx.uow() as uow:
            terms = self._ctx.terms_in(uow)
        engine = self._fresh(refresh)
        p = readings.parameters(period, filters or KpiFilters())
        members = readings.rfm(engine, p)
        points = readings.points_history(engine, period, p)
        return ReportData(
            title=title or "Loyalty programme report",
            first=period.first_day,
            last=period.last_day,
            currency=terms.currency,
            tiles=_tiles(engine, p, points, terms),
            cohorts=cohort_table(cohort_months(engine, period, p)),
            points=Table(
                "points",
                ("month", "issued", "redeemed", "expired"),
                tuple((m.month, m.issued, m.redeemed, m.expired) for m in points.months),
            ),
            liability=_liability(points, terms),
            rfm_segments=segment_table(members),
            **self._member_values(members),
        )

    def _member_values(self, members: list[MemberRfm]) -> dict[str, Any]:
        """Each member's lifetime value when the models fit the history, else the period's spend."""
        label, values = "spend in the period", [(m.member_id, m.monetary_minor) for m in members]
        if self._lifetime_values is not None:
            try:
                values = list(self._lifetime_values())
                label = "lifetime value (12 months, discounted)"
            except ModelNotEstimable:
                pass  # too little history to fit: the spend tells what there is
        table = Table("member_values", ("member_id", "value_minor"), tuple(sorted(values)))
        return {"member_values": table, "value_label": label}

    def cohorts(
        self, period: Period, filters: KpiFilters | None = None, refresh: bool = True
    ) -> Table:
        p = readings.parameters(period, filters or KpiFilters())
        return cohort_table(cohort_months(self._fresh(refresh), period, p))

    def cohort_months(
        self, period: Period, filters: KpiFilters | None = None, refresh: bool = True
    ) -> list[CohortMonth]:
        p = readings.parameters(period, filters or KpiFilters())
        return cohort_months(self._fresh(refresh), period, p)

    def rfm(
        self, period: Period, filters: KpiFilters | None = None, refresh: bool = True
    ) -> list[MemberRfm]:
        """Every member who bought in the period, with scores and segment, by member id."""
        p = readings.parameters(period, filters or KpiFilters())
        return readings.rfm(self._fresh(refresh), p)


def cohort_months(
    engine: AnalyticsQueries, period: Period, p: dict[str, object]
) -> list[CohortMonth]:
    activity = readings.cohort_activity(engine, p)
    return cohort_triangle(cohort_sizes(activity), activity, period.last_day)


def cohort_table(rows: list[CohortMonth]) -> Table:
    return Table(
        "cohorts",
        COHORT_COLUMNS,
        tuple(
            (
                r.cohort_month,
                r.months_since,
                r.members,
                r.active_members,
                r.retention,
                r.revenue_minor,
            )
            for r in rows
        ),
    )


def rfm_table(members: list[MemberRfm], as_of: date) -> Table:
    rows = tuple(
        (
            m.member_id,
            m.last_purchase,
            m.recency_days(as_of),
            m.frequency,
            m.monetary_minor,
            m.recency_score,
            m.frequency_score,
            m.monetary_score,
            m.segment.value,
        )
        for m in members
    )
    return Table("rfm_members", RFM_COLUMNS, rows)


def segment_table(members: list[MemberRfm]) -> Table:
    """Every segment in the grid's order, with its members and what they paid."""
    rows = tuple((s.value, count, paid) for s, count, paid in segment_totals(members))
    return Table("rfm_segments", ("segment", "members", "revenue_minor"), rows)


def _liability(points: PointsHistory, terms: ProgrammeTerms) -> Table:
    rows = tuple(
        (m.month, held, terms.value_of_points(held).amount_minor)
        for m, held in zip(points.months, points.closing(), strict=True)
    )
    return Table("liability", ("month", "outstanding_points", "liability_minor"), rows)


def _tiles(
    engine: AnalyticsQueries, p: dict[str, object], points: PointsHistory, terms: ProgrammeTerms
) -> tuple[Tile, ...]:
    def money(minor: int) -> str:
        return f"{Money(minor, terms.currency)} {terms.currency}"

    (kpis,) = engine.run("kpis", p)
    orders, revenue = int(kpis["orders"]), int(kpis["revenue_minor"])
    closing = points.closing()
    outstanding = closing[-1] if closing else points.opening
    return (
        Tile("members who bought", f"{int(kpis['active_members']):,}"),
        Tile("purchases", f"{orders:,}"),
        Tile("revenue", money(revenue)),
        Tile("average order value", money(revenue // orders if orders else 0)),
        Tile("points issued", f"{sum(m.issued for m in points.months):,}"),
        Tile("points redeemed", f"{sum(m.redeemed for m in points.months):,}"),
        Tile("points expired", f"{sum(m.expired for m in points.months):,}"),
        Tile("points outstanding at the end", f"{outstanding:,}"),
        Tile("liability at the end", money(terms.value_of_points(outstanding).amount_minor)),
    )
