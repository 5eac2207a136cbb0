"""What a paid membership plan gives a basket, worked out apart from the rules.

The engine applies it in two places (``purchase.py``): in the discount stage,
before the tier's discount, member prices bring each listed SKU's line down to
the plan's unit price, then the plan's percentage comes off the other goods it
covers, then delivery is free; after the tier's multiplier, the plan's
multiplier multiplies the per-amount points once more. A plan's texts, prices
in minor units and line filters are computed once per programme version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loyalo.domain.programme.document.memberships import MembershipPlan
from loyalo.domain.programme.engine.arithmetic import units_to_minor
from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class PlanTerms:
    plan: MembershipPlan
    rule_id: str  # "membership:club": the id its discounts and points are recorded under
    prices_minor: Mapping[str, int]  # SKU -> member unit price
    labels: frozenset[str]
    categories: frozenset[str]
    member_prices: str
    discount: str
    free_delivery: str
    multiplier: str  # the description before " on N points"

    @classmethod
    def of(cls, plan: MembershipPlan, exponent: int) -> PlanTerms:
        benefits = plan.benefits
        return cls(
            plan=plan,
            rule_id=f"membership:{plan.id}",
            prices_minor={
                sku: units_to_minor(price, exponent)
                for sku, price in benefits.member_prices.items()
            },
            labels=frozenset(benefits.discount_labels),
            categories=frozenset(benefits.discount_categories),
            member_prices=f"member prices for {plan.name} members",
            discount=f"{benefits.discount_percent}% off for {plan.name} members",
            free_delivery=f"free delivery for {plan.name} members",
            multiplier=f"x{benefits.earn_multiplier} for {plan.name} members",
        )


def member_price_cuts(
    terms: PlanTerms, lines: Sequence[Line], net: Mapping[int, int], goods: Sequence[int]
) -> dict[int, int]:
    """Line index -> what comes off it to reach the member price (never below what is left)."""
    prices = terms.prices_minor
    if not prices:
        return {}
    cuts = {}
    for index in goods:
        line = lines[index]
        price = prices.get(line.sku)
        if price is None:
            continue
        cut = net.get(index, 0) - line.quantity * price
        if cut > 0:
            cuts[index] = cut
    return cuts


def discounted_goods(terms: PlanTerms, lines: Sequence[Line], goods: Sequence[int]) -> list[int]:
    """The goods lines the plan's percentage covers: not member-priced, in its labels or
    categories when it names any."""
    prices, labels, categories = terms.prices_minor, terms.labels, terms.categories
    chosen = []
    for index in goods:
        line = lines[index]
        if line.sku in prices:
            continue
        if (labels or categories) and not (
            line.category in categories or any(label in labels for label in line.labels)
        ):
            continue
        chosen.append(index)
    return chosen
