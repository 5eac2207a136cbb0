"""Build the report's tables from the analytics engine's answers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from loyalo.application.analytics import attribution
from loyalo.application.analytics.parameters import query_parameters
from loyalo.application.analytics.ports import AnalyticsQueries, Row
from loyalo.application.context import AppContext
from loyalo.application.report import readings
from loyalo.application.report.ports import Export, LifetimeValues, ObservedUntil
from loyalo.application.report.readings import PointsHistory
from loyalo.domain.analytics.arithmetic import average
from loyalo.domain.analytics.attribution import Attribution
from loyalo.domain.analytics.filters import (
    DEFAULT_WINDOW_DAYS,
    KpiFilters,
    Period,
    check_window_days,
)
from loyalo.domain.analytics.joining import JoiningSpend
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
JOINING_COLUMNS = (
    "member_id",
    "joined_at",
    "orders_before",
    "spend_before_minor",
    "orders_after",
    "spend_after_minor",
    "window_complete",
)


class ReportService:
    """Each call exports what is new first, unless ``refresh=False`` (the caller just did)."""

    def __init__(
        self,
        ctx: AppContext,
        engine: AnalyticsQueries,
        export: Export,
        lifetime_values: LifetimeValues | None = None,
        observed_until: ObservedUntil | None = None,
    ) -> None:
        self._ctx = ctx
        self._engine = engine
        self._export = export
        self._lifetime_values = lifetime_values
        self._observed_until = observed_until or (lambda: None)

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
        window_days: int = DEFAULT_WINDOW_DAYS,
    ) -> ReportData:
        check_window_days(window_days)  # before the export, which is the slow part
        filters = filters or KpiFilters()
        with self._ctx.uow() as uow:
            terms = self._ctx.terms_in(uow)
        engine = self._fresh(refresh)
        p = query_parameters(period, filters)
        members = readings.rfm(engine, p)
        points = readings.points_history(engine, period, p)
        seen, currency = self._observed_until(), terms.currency
        joining = attribution.spend_around_joining(
            engine, period, filters, window_days, seen, currency
        )
        (activity,) = engine.run("kpis", p)
        _, estimate = attribution.attributable_revenue(
            engine, period, filters, window_days, seen, currency, activity
        )
        return ReportData(
            title=title or "Loyalty programme report",
            first=period.first_day,
            last=period.last_day,
            currency=currency,
            tiles=(
                *_tiles(activity, points, terms),
                Tile("members_joined", "members who joined", len(joining.members)),
                Tile("attributable_revenue", "attributable revenue (estimate)", estimate.revenue),
            ),
            cohorts=cohort_table(cohort_months(engine, period, p)),
            points=Table(
                "points",
                ("month", "issued", "redeemed", "expired"),
                tuple((m.month, m.issued, m.redeemed, m.expired) for m in points.months),
            ),
            liability=_liability(points, terms),
            rfm_segments=segment_table(members),
            joining=joining_table(joining),
            window_days=window_days,
            notes=(attribution_note(estimate),),
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
        p = query_parameters(period, filters or KpiFilters())
        return cohort_table(cohort_months(self._fresh(refresh), period, p))

    def cohort_months(
        self, period: Period, filters: KpiFilters | None = None, refresh: bool = True
    ) -> list[CohortMonth]:
        p = query_parameters(period, filters or KpiFilters())
        return cohort_months(self._fresh(refresh), period, p)

    def rfm(
        self, period: Period, filters: KpiFilters | None = None, refresh: bool = True
    ) -> list[MemberRfm]:
        """Every member who bought in the period, with scores and segment, by member id."""
        p = query_parameters(period, filters or KpiFilters())
        return readings.rfm(self._fresh(refresh), p)


def cohort_months(
    engine: AnalyticsQueries, period: Period, p: Mapping[str, object]
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


def joining_table(spend: JoiningSpend) -> Table:
    """Each member who joined in the period, by member id, with the spend around joining."""
    rows = tuple(
        (
            m.member_id,
            m.joined_at,
            m.orders_before,
            m.spend_before_minor,
            m.orders_after,
            m.spend_after_minor,
            spend.complete(m),
        )
        for m in spend.members
    )
    return Table("spend_around_joining", JOINING_COLUMNS, rows)


def attribution_note(estimate: Attribution) -> str:
    if estimate.method is None:
        return f"Attributable revenue: {estimate.reason}."
    return f"Attributable revenue, estimated by {estimate.method}: {estimate.reason}."


def _liability(points: PointsHistory, terms: ProgrammeTerms) -> Table:
    rows = tuple(
        (m.month, held, terms.value_of_points(held).amount_minor)
        for m, held in zip(points.months, points.closing(), strict=True)
    )
    return Table("liability", ("month", "outstanding_points", "liability_minor"), rows)


def _tiles(kpis: Row, points: PointsHistory, terms: ProgrammeTerms) -> tuple[Tile, ...]:
    orders, revenue = int(kpis["orders"]), Money(int(kpis["revenue_minor"]), terms.currency)
    closing = points.closing()
    outstanding = closing[-1] if closing else points.opening
    return (
        Tile("members_buying", "members who bought", int(kpis["active_members"])),
        Tile("purchases", "purchases", orders),
        Tile("revenue", "revenue", revenue),
        Tile(
            "average_order_value",
            "average order value",
            average(revenue.amount_minor, orders, terms.currency),
        ),
        Tile("points_issued", "points issued", sum(m.issued for m in points.months)),
        Tile("points_redeemed", "points redeemed", sum(m.redeemed for m in points.months)),
        Tile("points_expired", "points expired", sum(m.expired for m in points.months)),
        Tile("points_outstanding", "points outstanding at the end", outstanding),
        Tile("liability", "liability at the end", terms.value_of_points(outstanding)),
    )
