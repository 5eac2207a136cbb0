"""Build the report's tables from the analytics store's answers."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from itertools import accumulate

from loyalo.application.context import AppContext
from loyalo.application.report.ports import PointsMonth, ReportQueries, SalesSummary
from loyalo.domain.errors import InvalidInput
from loyalo.domain.money import Money
from loyalo.domain.programme.terms import ProgrammeTerms
from loyalo.domain.report.cohorts import cohort_triangle
from loyalo.domain.report.data import ReportData, Table, Tile
from loyalo.domain.report.rfm import MemberRfm, Segment

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
    def __init__(self, ctx: AppContext, queries: Callable[[], ReportQueries]) -> None:
        self._ctx = ctx
        self._queries = queries  # opened per report: the store is refreshed first

    def build(self, first: date, last: date, title: str = "Loyalty programme report") -> ReportData:
        if last < first:
            raise InvalidInput(f"the period ends ({last}) before it starts ({first})", field="to")
        with self._ctx.uow() as uow:
            terms = self._ctx.terms_in(uow)
        queries = self._queries()
        members = queries.rfm(first, last)
        points = queries.points_by_month(first, last)
        closing = list(accumulate((p.member_change for p in points), initial=0))[1:]
        opening = queries.member_points_before(first)
        held = [opening + change for change in closing]
        liability = _liability(points, held, terms)
        sales = queries.sales(first, last)
        return ReportData(
            title=title,
            first=first,
            last=last,
            currency=terms.currency,
            tiles=_tiles(sales, points, held[-1] if held else opening, terms),
            cohorts=cohort_table(queries, first, last),
            points=Table(
                "points",
                ("month", "issued", "redeemed", "expired"),
                tuple((p.month, p.issued, p.redeemed, p.expired) for p in points),
            ),
            liability=liability,
            member_values=Table(
                "member_values",
                ("member_id", "value_minor"),
                tuple((m.member_id, m.monetary_minor) for m in members),
            ),
            rfm_segments=segment_table(members),
        )

    def rfm_members(self, first: date, last: date) -> Table:
        """Each member's RFM values, scores and segment (the table behind the segments)."""
        return rfm_table(self._queries().rfm(first, last), last)


def cohort_table(queries: ReportQueries, first: date, last: date) -> Table:
    sizes = queries.cohort_sizes(first, last)
    rows = cohort_triangle(sizes, queries.cohort_activity(first, last), last)
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
        for m in sorted(members, key=lambda m: m.member_id)
    )
    return Table("rfm_members", RFM_COLUMNS, rows)


def segment_table(members: list[MemberRfm]) -> Table:
    """Every segment in the grid's order, with its members and what they spent."""
    counts = Counter(m.segment for m in members)
    revenue: defaultdict[Segment, int] = defaultdict(int)
    for member in members:
        revenue[member.segment] += member.monetary_minor
    rows = tuple((s.value, counts[s], revenue[s]) for s in Segment)
    return Table("rfm_segments", ("segment", "members", "revenue_minor"), rows)


def _liability(points: list[PointsMonth], held: list[int], terms: ProgrammeTerms) -> Table:
    rows = tuple(
        (p.month, outstanding, terms.value_of_points(outstanding).amount_minor)
        for p, outstanding in zip(points, held, strict=True)
    )
    return Table("liability", ("month", "outstanding_points", "liability_minor"), rows)


def _tiles(
    sales: SalesSummary, points: list[PointsMonth], outstanding: int, terms: ProgrammeTerms
) -> tuple[Tile, ...]:
    def money(minor: int) -> str:
        return f"{Money(minor, terms.currency)} {terms.currency}"

    aov = sales.revenue_minor // sales.purchases if sales.purchases else 0
    return (
        Tile("members who bought", f"{sales.buyers:,}"),
        Tile("purchases", f"{sales.purchases:,}"),
        Tile("revenue", money(sales.revenue_minor)),
        Tile("average order value", money(aov)),
        Tile("points issued", f"{sum(p.issued for p in points):,}"),
        Tile("points redeemed", f"{sum(p.redeemed for p in points):,}"),
        Tile("points expired", f"{sum(p.expired for p in points):,}"),
        Tile("points outstanding at the end", f"{outstanding:,}"),
        Tile("liability at the end", money(terms.value_of_points(outstanding).amount_minor)),
    )
