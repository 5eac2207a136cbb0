"""Acquisition cost and return on investment, of the programme and of each campaign.

ROI = (attributable revenue - cost) / cost. The attributable revenue is an
estimate, and each figure says which:

* the programme: the first method that can estimate (``attribution.first_estimate``):
  ``matched-baseline`` — the extra spend of the period's joiners against members who had
  not joined yet, matched on their spending before (``matched_baseline.py``); else
  ``aov-lift`` — what members spent per order above what non-members spent per order, times
  the members' orders (no non-member sales: no estimate); else none, and no ROI;
* a campaign: ``rewarded-purchases`` — the revenue of the purchases its rule
  rewarded, an upper bound (it assumes none of them would have happened without it).

The cost of points is their money value at the programme's redemption rate:
points redeemed for the programme, points issued for a campaign.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from loyalo.domain.analytics.arithmetic import average, rate
from loyalo.domain.analytics.attribution import Attribution
from loyalo.domain.analytics.filters import Period
from loyalo.domain.analytics.kpis import MembersVsNonMembers
from loyalo.domain.money import Money

AOV_LIFT = "aov-lift"
CAMPAIGN_METHOD = "rewarded-purchases"


def points_value(points: int, redeem_points_per_unit: Decimal, currency: str) -> Money:
    """What ``points`` pay for at the till, rounded half up to the minor unit."""
    unit = Money.parse("1", currency).amount_minor
    minor = (Decimal(points) * unit / redeem_points_per_unit).quantize(Decimal(1), ROUND_HALF_UP)
    return Money(int(minor), currency)


def roi(revenue: Money | None, cost: Money) -> Decimal | None:
    if revenue is None:
        return None
    return rate(revenue.amount_minor - cost.amount_minor, cost.amount_minor)


@dataclass(frozen=True, slots=True)
class ProgrammeRoi:
    period: Period
    running_cost: Money
    acquisition_cost: Money
    points_cost: Money  # points redeemed, at the redemption rate
    members_new: int
    attribution: Attribution

    @property
    def cost(self) -> Money:
        return self.running_cost + self.acquisition_cost + self.points_cost

    @property
    def attributable_revenue(self) -> Money | None:
        return self.attribution.revenue

    @property
    def method(self) -> str | None:
        return self.attribution.method

    @property
    def cost_per_acquired_member(self) -> Money | None:
        currency = self.acquisition_cost.currency
        return average(self.acquisition_cost.amount_minor, self.members_new, currency)

    @property
    def roi(self) -> Decimal | None:
        return roi(self.attributable_revenue, self.cost)


def aov_lift(
    member_revenue_minor: int,
    member_orders: int,
    non_member_revenue_minor: int,
    non_member_orders: int,
    currency: str,
) -> Money | None:
    """(member AOV - non-member AOV) * member orders, from the exact sums (no rounding inside)."""
    if member_orders == 0 or non_member_orders == 0:
        return None
    baseline = Decimal(non_member_revenue_minor) * member_orders / non_member_orders
    lift = (Decimal(member_revenue_minor) - baseline).quantize(Decimal(1), ROUND_HALF_UP)
    return Money(int(lift), currency)


def aov_lift_attribution(sales: MembersVsNonMembers) -> Attribution:
    revenue = aov_lift(
        sales.member_revenue_minor,
        sales.member_orders,
        sales.non_member_revenue_minor,
        sales.non_member_orders,
        sales.currency,
    )
    if sales.non_member_orders == 0:
        reason = "no non-member sales in the period (only imported history holds them)"
    elif sales.member_orders == 0:
        reason = "no member orders in the period"
    else:
        reason = (
            f"the members' average order above that of {sales.non_member_orders} non-member "
            f"receipts, times {sales.member_orders} member orders"
        )
    return Attribution(AOV_LIFT, revenue, reason)


@dataclass(frozen=True, slots=True)
class CampaignRoi:
    rule_id: str
    points_issued: int
    members: int
    purchases: int
    revenue: Money  # of the purchases the rule rewarded
    configured_cost: Money
    points_cost: Money
    method: str = CAMPAIGN_METHOD

    @property
    def cost(self) -> Money:
        return self.configured_cost + self.points_cost

    @property
    def roi(self) -> Decimal | None:
        return roi(self.revenue, self.cost)
