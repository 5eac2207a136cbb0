"""The KPI families over the analytics store, exporting what is new first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from loyalo.application.analytics import attribution
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.parameters import query_parameters
from loyalo.application.analytics.ports import (
    AnalyticsQueries,
    AnalyticsSink,
    Compaction,
    CompactionProgress,
    ExportProgress,
    ExportReport,
    ExportState,
    Row,
)
from loyalo.application.context import AppContext
from loyalo.domain.analytics.costs import CostKind, CostsDocument
from loyalo.domain.analytics.filters import DEFAULT_WINDOW_DAYS, KpiFilters, Period
from loyalo.domain.analytics.joining import JoiningSpend
from loyalo.domain.analytics.kpis import MemberCounts, MemberKpis, MembersVsNonMembers, PointsKpis
from loyalo.domain.analytics.matched_baseline import MatchedBaseline
from loyalo.domain.analytics.roi import CampaignRoi, ProgrammeRoi, points_value
from loyalo.domain.money import Money
from loyalo.domain.programme.terms import ProgrammeTerms

__all__ = ["AnalyticsService", "RoiReport", "query_parameters"]


@dataclass(frozen=True, slots=True)
class RoiReport:
    programme: ProgrammeRoi
    campaigns: tuple[CampaignRoi, ...]
    matched_baseline: MatchedBaseline  # tried first for the programme's attributable revenue


class AnalyticsService:
    def __init__(
        self,
        ctx: AppContext,
        sink: AnalyticsSink,
        queries: AnalyticsQueries,
        costs: CostsDocument | None = None,
    ) -> None:
        self._ctx = ctx
        self._queries = queries
        self._costs = costs or CostsDocument()
        self._exporter = AnalyticsExporter(ctx, sink)

    def export(self, progress: ExportProgress | None = None) -> ExportReport:
        return self._exporter.run(progress)

    def compact(self, progress: CompactionProgress | None = None) -> list[Compaction]:
        """Merge every table's small Parquet parts now (exports also do it when they pile up)."""
        return self._exporter.compact(progress)

    def freshness(self) -> ExportState:
        """Up to when the store holds what was committed, and the rows of each table."""
        return self._exporter.freshness()

    def member_kpis(self, period: Period, filters: KpiFilters) -> MemberKpis:
        row = self._one("kpis", period, filters)
        return _member_kpis(period, filters, row, self._terms().currency)

    def points(self, period: Period, filters: KpiFilters) -> PointsKpis:
        totals = self._one("points", period, filters)
        able = self._one("redeemers", period, filters)
        return PointsKpis(period, filters, **_ints(totals), **_ints(able))

    def members_vs_non_members(self, period: Period, filters: KpiFilters) -> MembersVsNonMembers:
        activity = self._one("kpis", period, filters)
        return attribution.members_vs_non_members(
            self._queries, period, filters, self._terms().currency, activity
        )

    def spend_around_joining(
        self, period: Period, filters: KpiFilters, window_days: int = DEFAULT_WINDOW_DAYS
    ) -> JoiningSpend:
        return attribution.spend_around_joining(
            self._queries, period, filters, window_days, *self._horizon_and_currency()
        )

    def matched_baseline(
        self, period: Period, filters: KpiFilters, window_days: int = DEFAULT_WINDOW_DAYS
    ) -> MatchedBaseline:
        return attribution.matched_baseline(
            self._queries, period, filters, window_days, *self._horizon_and_currency()
        )

    def roi(
        self, period: Period, filters: KpiFilters, window_days: int = DEFAULT_WINDOW_DAYS
    ) -> RoiReport:
        terms = self._terms()
        currency = terms.currency
        activity = self._one("kpis", period, filters)  # read once: the AOV lift needs it too
        kpis = _member_kpis(period, filters, activity, currency)
        points = self.points(period, filters)
        horizon = self.freshness().exported_at
        matched, estimate = attribution.attributable_revenue(
            self._queries, period, filters, window_days, horizon, currency, activity
        )
        programme = ProgrammeRoi(
            period=period,
            running_cost=self._costs.total(CostKind.PROGRAMME, period, currency),
            acquisition_cost=self._costs.total(CostKind.ACQUISITION, period, currency),
            points_cost=points_value(points.redeemed, terms.redeem_points_per_unit, currency),
            members_new=kpis.counts.members_new,
            attribution=estimate,
        )
        return RoiReport(programme, self._campaigns(period, filters, terms), matched)

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

    def _horizon_and_currency(self) -> tuple[datetime | None, str]:
        """When the store was exported (what a window must have reached), and the currency."""
        return self.freshness().exported_at, self._terms().currency

    def _one(self, name: str, period: Period, filters: KpiFilters) -> Row:
        (row,) = self._run(name, period, filters)
        return row

    def _run(self, name: str, period: Period, filters: KpiFilters, **extra: object) -> list[Row]:
        return self._queries.run(name, query_parameters(period, filters, **extra))


def _member_kpis(period: Period, filters: KpiFilters, row: Row, currency: str) -> MemberKpis:
    counts = MemberCounts(**{name: int(row[name]) for name in MemberCounts.__slots__})
    return MemberKpis(period, filters, currency, counts)


def _ints(row: Mapping[str, object]) -> dict[str, int]:
    return {name: int(str(value)) for name, value in row.items()}
