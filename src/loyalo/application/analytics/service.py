"""The KPI families over the analytics store, exporting what is new first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import (
    AnalyticsQueries,
    AnalyticsSink,
    ExportProgress,
    ExportReport,
    ExportState,
    Row,
)
from loyalo.application.context import AppContext
from loyalo.domain.analytics.costs import CostKind, CostsDocument
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.analytics.kpis import (
    MemberCounts,
    MemberKpis,
    MembersVsNonMembers,
    PointsKpis,
    SpendAroundJoining,
)
from loyalo.domain.analytics.roi import CampaignRoi, ProgrammeRoi, aov_lift, points_value
from loyalo.domain.money import Money
from loyalo.domain.programme.terms import ProgrammeTerms


@dataclass(frozen=True, slots=True)
class RoiReport:
    programme: ProgrammeRoi
    campaigns: tuple[CampaignRoi, ...]


class AnalyticsService:
    def __init__(
        self,
        ctx: AppContext,
        sink: AnalyticsSink,
        queries: AnalyticsQueries,
        costs: CostsDocument | None = None,
    ) -> None:
        self._ctx = ctx
        self._sink = sink
        self._queries = queries
        self._costs = costs or CostsDocument()
        self._exporter = AnalyticsExporter(ctx, sink)

    def export(self, progress: ExportProgress | None = None) -> ExportReport:
        return self._exporter.run(progress)

    def freshness(self) -> ExportState:
        """When the store was last exported, and the rows of each table."""
        return self._sink.state()

    def member_kpis(self, period: Period, filters: KpiFilters) -> MemberKpis:
        return self._member_kpis(period, filters, self._one("kpis", period, filters))

    def _member_kpis(self, period: Period, filters: KpiFilters, row: Row) -> MemberKpis:
        counts = MemberCounts(**{name: int(row[name]) for name in MemberCounts.__slots__})
        return MemberKpis(period, filters, self._terms().currency, counts)

    def points(self, period: Period, filters: KpiFilters) -> PointsKpis:
        totals = self._one("points", period, filters)
        able = self._one("redeemers", period, filters)
        return PointsKpis(period, filters, **_ints(totals), **_ints(able))

    def members_vs_non_members(self, period: Period, filters: KpiFilters) -> MembersVsNonMembers:
        return self._sales(period, filters, self._one("kpis", period, filters))

    def _sales(self, period: Period, filters: KpiFilters, kpis: Row) -> MembersVsNonMembers:
        """The members' side is their activity's orders, revenue and active members."""
        non_members = self._one("non_members", period, filters)
        return MembersVsNonMembers(
            period,
            filters,
            self._terms().currency,
            member_orders=int(kpis["orders"]),
            member_revenue_minor=int(kpis["revenue_minor"]),
            members_buying=int(kpis["active_members"]),
            **_ints(non_members),
        )

    def spend_around_joining(
        self, period: Period, filters: KpiFilters, window_days: int = 90
    ) -> list[SpendAroundJoining]:
        rows = self._run("spend_around_joining", period, filters, window_days=window_days)
        return [
            SpendAroundJoining(
                member_id=str(row["member_id"]),
                joined_at_iso=_iso(row["joined_at"]),
                **_ints({k: v for k, v in row.items() if k not in ("member_id", "joined_at")}),
            )
            for row in rows
        ]

    def roi(self, period: Period, filters: KpiFilters) -> RoiReport:
        terms = self._terms()
        currency = terms.currency
        activity = self._one("kpis", period, filters)
        kpis = self._member_kpis(period, filters, activity)
        sales = self._sales(period, filters, activity)
        points = self.points(period, filters)
        programme = ProgrammeRoi(
            period=period,
            running_cost=self._costs.total(CostKind.PROGRAMME, period, currency),
            acquisition_cost=self._costs.total(CostKind.ACQUISITION, period, currency),
            points_cost=points_value(points.redeemed, terms.redeem_points_per_unit, currency),
            members_new=kpis.counts.members_new,
            attributable_revenue=aov_lift(
                sales.member_revenue_minor,
                sales.member_orders,
                sales.non_member_revenue_minor,
                sales.non_member_orders,
                currency,
            ),
        )
        return RoiReport(programme, self._campaigns(period, filters, terms))

    def _campaigns(
        self, period: Period, filters: KpiFilters, terms: ProgrammeTerms
    ) -> tuple[CampaignRoi, ...]:
        currency = terms.currency
        found = {str(row["rule_id"]): row for row in self._run("campaigns", period, filters)}
        rules = sorted(set(found) | set(self._costs.campaign_rules()))
        campaigns = []
        for rule in rules:
            row = found.get(rule, {})
            issued = int(row.get("points_issued", 0))
            campaigns.append(
                CampaignRoi(
                    rule_id=rule,
                    points_issued=issued,
                    members=int(row.get("members", 0)),
                    purchases=int(row.get("purchases", 0)),
                    revenue=Money(int(row.get("revenue_minor", 0)), currency),
                    configured_cost=self._costs.total(CostKind.CAMPAIGN, period, currency, rule),
                    points_cost=points_value(issued, terms.redeem_points_per_unit, currency),
                )
            )
        return tuple(campaigns)

    def _terms(self) -> ProgrammeTerms:
        with self._ctx.uow() as uow:
            return self._ctx.terms_in(uow)

    def _one(self, name: str, period: Period, filters: KpiFilters) -> Row:
        (row,) = self._run(name, period, filters)
        return row

    def _run(self, name: str, period: Period, filters: KpiFilters, **extra: object) -> list[Row]:
        return self._queries.run(name, query_parameters(period, filters, **extra))


def query_parameters(period: Period, filters: KpiFilters, **extra: object) -> Mapping[str, object]:
    """What every named query reads: the period, the previous one, the filters."""
    return {
        "start": period.start,
        "end": period.end,
        "previous_start": period.previous().start,
        "channel": filters.channel,
        "store": filters.store,
        "tier": filters.tier,
        "flag": filters.flag,
        **extra,
    }


def _ints(row: Mapping[str, object]) -> dict[str, int]:
    return {name: int(str(value)) for name, value in row.items()}


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
