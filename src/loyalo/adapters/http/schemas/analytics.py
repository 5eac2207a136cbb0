"""The analytics KPIs over HTTP. Money as decimal strings, rates as decimal strings (0.2500 is
25 %), counts and points as integers; a ratio with nothing to divide by is null."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import optional_text
from loyalo.adapters.http.schemas.matched_baseline import MatchedBaselineOut
from loyalo.application.analytics.ports import ExportState
from loyalo.application.analytics.service import RoiReport
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.analytics.kpis import MemberKpis, MembersVsNonMembers, PointsKpis
from loyalo.domain.analytics.roi import CampaignRoi
from loyalo.domain.money import Money


class PeriodOut(BaseModel):
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    days: int
    previous_from: date
    previous_to: date

    @classmethod
    def of(cls, period: Period) -> PeriodOut:
        previous = period.previous()
        return cls.model_validate(
            {
                "from": period.first_day,
                "to": period.last_day,
                "days": period.days,
                "previous_from": previous.first_day,
                "previous_to": previous.last_day,
            }
        )


class FiltersOut(BaseModel):
    channel: str | None
    store: str | None
    tier: str | None
    flag: str | None

    @classmethod
    def of(cls, filters: KpiFilters) -> FiltersOut:
        return cls(
            channel=filters.channel, store=filters.store, tier=filters.tier, flag=filters.flag
        )


class Freshness(BaseModel):
    data_as_of: datetime | None = Field(
        description="When the analytics store was last exported: it holds what was committed "
        "by then. Null: never exported."
    )

    @classmethod
    def of(cls, state: ExportState) -> Freshness:
        return cls(data_as_of=state.exported_at)


class Envelope(BaseModel):
    period: PeriodOut
    filters: FiltersOut
    freshness: Freshness


class KpisOut(Envelope):
    currency: str
    members_total: int = Field(description="Members enrolled before the period's end")
    members_new: int = Field(description="Members enrolled in the period")
    active_members: int = Field(description="Members with a purchase in the period")
    active_members_previous: int
    active_growth: str | None = Field(examples=["0.5000"])
    retained_members: int
    retention_rate: str | None
    repeat_members: int
    repeat_purchase_rate: str | None
    orders: int
    purchase_frequency: str | None
    revenue: str = Field(examples=["155.00"])
    average_order_value: str | None
    revenue_per_member: str | None
    engaged_members: int
    engagement_rate: str | None
    returns: int
    returns_value: str
    net_revenue: str

    @classmethod
    def of(cls, kpis: MemberKpis, state: ExportState) -> KpisOut:
        c = kpis.counts
        return cls(
            period=PeriodOut.of(kpis.period),
            filters=FiltersOut.of(kpis.filters),
            freshness=Freshness.of(state),
            currency=kpis.currency,
            members_total=c.members_total,
            members_new=c.members_new,
            active_members=c.active_members,
            active_members_previous=c.active_members_previous,
            active_growth=optional_text(kpis.active_growth),
            retained_members=c.retained_members,
            retention_rate=optional_text(kpis.retention_rate),
            repeat_members=c.repeat_members,
            repeat_purchase_rate=optional_text(kpis.repeat_purchase_rate),
            orders=c.orders,
            purchase_frequency=optional_text(kpis.purchase_frequency),
            revenue=str(kpis.revenue),
            average_order_value=optional_text(kpis.average_order_value),
            revenue_per_member=optional_text(kpis.revenue_per_member),
            engaged_members=c.engaged_members,
            engagement_rate=optional_text(kpis.engagement_rate),
            returns=c.returns,
            returns_value=str(Money(c.returns_minor, kpis.currency)),
            net_revenue=str(kpis.net_revenue),
        )


class PointsOut(Envelope):
    issued: int
    taken_back: int
    redeemed: int
    expired: int
    adjusted: int
    outstanding: int = Field(description="Member accounts at the period's end: the liability")
    members_able_to_redeem: int
    members_redeeming: int
    redemption_rate: str | None

    @classmethod
    def of(cls, points: PointsKpis, state: ExportState) -> PointsOut:
        return cls(
            period=PeriodOut.of(points.period),
            filters=FiltersOut.of(points.filters),
            freshness=Freshness.of(state),
            issued=points.issued,
            taken_back=points.taken_back,
            redeemed=points.redeemed,
            expired=points.expired,
            adjusted=points.adjusted,
            outstanding=points.outstanding,
            members_able_to_redeem=points.members_able,
            members_redeeming=points.members_redeeming,
            redemption_rate=optional_text(points.redemption_rate),
        )


class SideOut(BaseModel):
    orders: int
    revenue: str
    average_order_value: str | None
    purchase_frequency: str | None = Field(
        description="Orders per buying member; null for non-members, who are anonymous"
    )


class MembersVsNonMembersOut(Envelope):
    currency: str
    members: SideOut
    non_members: SideOut

    @classmethod
    def of(cls, sales: MembersVsNonMembers, state: ExportState) -> MembersVsNonMembersOut:
        currency = sales.currency
        return cls(
            period=PeriodOut.of(sales.period),
            filters=FiltersOut.of(sales.filters),
            freshness=Freshness.of(state),
            currency=currency,
            members=SideOut(
                orders=sales.member_orders,
                revenue=str(Money(sales.member_revenue_minor, currency)),
                average_order_value=optional_text(sales.member_aov),
                purchase_frequency=optional_text(sales.member_frequency),
            ),
            non_members=SideOut(
                orders=sales.non_member_orders,
                revenue=str(Money(sales.non_member_revenue_minor, currency)),
                average_order_value=optional_text(sales.non_member_aov),
                purchase_frequency=None,
            ),
        )


class ProgrammeRoiOut(BaseModel):
    running_cost: str
    acquisition_cost: str
    points_cost: str
    cost: str
    members_new: int
    cost_per_acquired_member: str | None
    attributable_revenue: str | None = Field(description="An estimate: see method")
    method: str | None = Field(
        examples=["matched-baseline"],
        description="The first that could estimate: matched-baseline, else aov-lift; "
        "null: neither could",
    )
    method_reason: str = Field(description="Why this method, or why none")
    roi: str | None = Field(description="(attributable revenue - cost) / cost")
    matched_baseline: MatchedBaselineOut = Field(
        description="The matched baseline, estimated or not, and what it compared"
    )

    @classmethod
    def of(cls, report: RoiReport) -> ProgrammeRoiOut:
        roi = report.programme
        return cls(
            running_cost=str(roi.running_cost),
            acquisition_cost=str(roi.acquisition_cost),
            points_cost=str(roi.points_cost),
            cost=str(roi.cost),
            members_new=roi.members_new,
            cost_per_acquired_member=optional_text(roi.cost_per_acquired_member),
            attributable_revenue=optional_text(roi.attributable_revenue),
            method=roi.method,
            method_reason=roi.attribution.reason,
            roi=optional_text(roi.roi),
            matched_baseline=MatchedBaselineOut.of(report.matched_baseline),
        )


class CampaignRoiOut(BaseModel):
    rule_id: str
    points_issued: int
    members: int
    purchases: int
    revenue: str = Field(description="Of the purchases the rule rewarded: an upper bound")
    configured_cost: str
    points_cost: str
    cost: str
    method: str = Field(examples=["rewarded-purchases"])
    roi: str | None

    @classmethod
    def of(cls, roi: CampaignRoi) -> CampaignRoiOut:
        return cls(
            rule_id=roi.rule_id,
            points_issued=roi.points_issued,
            members=roi.members,
            purchases=roi.purchases,
            revenue=str(roi.revenue),
            configured_cost=str(roi.configured_cost),
            points_cost=str(roi.points_cost),
            cost=str(roi.cost),
            method=roi.method,
            roi=optional_text(roi.roi),
        )


class RoiOut(Envelope):
    programme: ProgrammeRoiOut
    campaigns: list[CampaignRoiOut]
