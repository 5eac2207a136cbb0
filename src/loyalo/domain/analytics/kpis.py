"""The KPI families: the counts the analytics engine returns, and what they mean."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loyalo.domain.analytics.arithmetic import average, growth, rate
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.money import Money


@dataclass(frozen=True, slots=True)
class MemberCounts:
    """Counted over members the filters keep, for purchases the filters keep."""

    members_total: int  # enrolled before the period's end
    members_new: int  # enrolled in the period
    active_members: int  # with a purchase in the period
    active_members_previous: int  # with a purchase in the previous period of equal length
    retained_members: int  # active in both
    repeat_members: int  # with two purchases or more in the period
    orders: int
    revenue_minor: int  # paid: total less the programme's discounts
    engaged_members: int  # with a purchase or an event in the period
    returns: int
    returns_minor: int


@dataclass(frozen=True, slots=True)
class MemberKpis:
    period: Period
    filters: KpiFilters
    currency: str
    counts: MemberCounts

    @property
    def active_growth(self) -> Decimal | None:
        return growth(self.counts.active_members, self.counts.active_members_previous)

    @property
    def retention_rate(self) -> Decimal | None:
        return rate(self.counts.retained_members, self.counts.active_members_previous)

    @property
    def repeat_purchase_rate(self) -> Decimal | None:
        return rate(self.counts.repeat_members, self.counts.active_members)

    @property
    def purchase_frequency(self) -> Decimal | None:
        return rate(self.counts.orders, self.counts.active_members)

    @property
    def average_order_value(self) -> Money | None:
        return average(self.counts.revenue_minor, self.counts.orders, self.currency)

    @property
    def revenue_per_member(self) -> Money | None:
        return average(self.counts.revenue_minor, self.counts.members_total, self.currency)

    @property
    def engagement_rate(self) -> Decimal | None:
        return rate(self.counts.engaged_members, self.counts.members_total)

    @property
    def revenue(self) -> Money:
        return Money(self.counts.revenue_minor, self.currency)

    @property
    def net_revenue(self) -> Money:
        return Money(self.counts.revenue_minor - self.counts.returns_minor, self.currency)


@dataclass(frozen=True, slots=True)
class PointsKpis:
    period: Period
    filters: KpiFilters
    issued: int  # by earning entries (purchases, events, referrals, challenges)
    taken_back: int  # by returns
    redeemed: int  # committed holds and catalogue redemptions, less cancelled ones
    expired: int
    adjusted: int  # net: up positive, down negative
    outstanding: int  # member accounts at the period's end: the programme's liability
    members_able: int  # a positive wallet at the start, or points reaching it in the period
    members_redeeming: int

    @property
    def redemption_rate(self) -> Decimal | None:
        return rate(self.members_redeeming, self.members_able)


@dataclass(frozen=True, slots=True)
class MembersVsNonMembers:
    period: Period
    filters: KpiFilters
    currency: str
    member_orders: int
    member_revenue_minor: int
    members_buying: int
    non_member_orders: int  # receipts with a sale line
    non_member_revenue_minor: int  # sale lines only; non-member returns are left out

    @property
    def member_aov(self) -> Money | None:
        return average(self.member_revenue_minor, self.member_orders, self.currency)

    @property
    def non_member_aov(self) -> Money | None:
        return average(self.non_member_revenue_minor, self.non_member_orders, self.currency)

    @property
    def member_frequency(self) -> Decimal | None:
        return rate(self.member_orders, self.members_buying)
