"""Coupons in the engine's discount stage: what each till benefit takes off, in which order.

Coupons come after the tier's discount and the programme's discount rules, each
on what is left to pay (docs/PROGRAMME.md, "Discounts"). Among themselves they
go in a fixed order, whatever order the till sent them in: first what comes off
named products (free products, product discounts, the cheapest line), then the
whole basket (percentages before amounts, so that an amount never shrinks a
percentage), then delivery; codes of one kind in the order sent.

Stacking: a coupon marked not ``combinable`` applies only alone: with no other
code on the purchase and no promotion discount (a rule's discount or a
progressive discount; the tier's discount is the member's and combines).

All money is integer minor units; a percentage rounds half up, and every
discount is split over its lines exactly (``allocate``), never more than what
is left to pay of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loyalo.domain.coupons.benefits import (
    Benefit,
    DiscountBenefit,
    DiscountScope,
    FreeDeliveryBenefit,
    FreeProductBenefit,
)
from loyalo.domain.coupons.validation import (
    NO_COUPONS_WITH_PROMOTIONS,
    CouponVerdict,
    Reason,
    TillCoupon,
    refused,
)
from loyalo.domain.programme.engine.arithmetic import allocate, percent_of, units_to_minor
from loyalo.domain.purchases.basket import Line

COUPON_RULE_PREFIX = "coupon:"  # a coupon's discount is recorded under "coupon:<code>"


@dataclass(frozen=True, slots=True)
class TillBasket:
    lines: Sequence[Line]
    goods: Sequence[int]  # indices of goods lines
    delivery: Sequence[int]  # indices of delivery lines
    exponent: int  # minor units per currency unit, as a power of ten


def application_rank(benefit: Benefit) -> int:
    """Where a benefit goes among the coupons of one purchase (lower first)."""
    if isinstance(benefit, FreeProductBenefit):
        return 0
    if isinstance(benefit, DiscountBenefit):
        return {DiscountScope.PRODUCTS: 1, DiscountScope.CHEAPEST_LINE: 2}.get(
            benefit.on, 3 if benefit.percent is not None else 4
        )
    return 5  # free delivery


def in_application_order(coupons: Sequence[TillCoupon]) -> list[TillCoupon]:
    return sorted(coupons, key=lambda c: (application_rank(c.benefit), c.sent_at))


def discount_parts(benefit: Benefit, basket: TillBasket, net: Mapping[int, int]) -> dict[int, int]:
    """What ``benefit`` takes off each line, given what is left to pay (``net``)."""
    if isinstance(benefit, DiscountBenefit):
        return _discount(benefit, basket, net)
    if isinstance(benefit, FreeProductBenefit):
        return _free_units(benefit, basket, net)
    if isinstance(benefit, FreeDeliveryBenefit):
        return {i: net[i] for i in basket.delivery if net.get(i, 0) > 0}
    return {}


def _positive(net: Mapping[int, int], indices: Sequence[int]) -> dict[int, int]:
    return {i: net[i] for i in indices if net.get(i, 0) > 0}


def _discount(
    benefit: DiscountBenefit, basket: TillBasket, net: Mapping[int, int]
) -> dict[int, int]:
    if benefit.on is DiscountScope.PRODUCTS:
        skus = set(benefit.skus)
        weights = _positive(net, [i for i in basket.goods if basket.lines[i].sku in skus])
    elif benefit.on is DiscountScope.CHEAPEST_LINE:
        weights = _cheapest_unit(basket, net)
    else:
        weights = _positive(net, basket.goods)
    base = sum(weights.values())
    if benefit.percent is not None:
        amount = percent_of(base, benefit.percent)
    else:
        assert benefit.amount is not None  # the benefit's validator: exactly one of the two
        amount = units_to_minor(benefit.amount, basket.exponent)
    if benefit.maximum is not None:
        amount = min(amount, units_to_minor(benefit.maximum, basket.exponent))
    return allocate(min(amount, base), weights)


def _unit_value(net: Mapping[int, int], line: Line, index: int) -> int:
    """One unit's share of what is left to pay of its line (rounded down)."""
    return net.get(index, 0) // line.quantity


def _cheapest_unit(basket: TillBasket, net: Mapping[int, int]) -> dict[int, int]:
    """One unit of the goods line whose unit is cheapest (the first such line on a tie)."""
    units = [
        (_unit_value(net, basket.lines[i], i), i)
        for i in basket.goods
        if _unit_value(net, basket.lines[i], i) > 0
    ]
    if not units:
        return {}
    value, index = min(units)
    return {index: value}


def _free_units(
    benefit: FreeProductBenefit, basket: TillBasket, net: Mapping[int, int]
) -> dict[int, int]:
    """``quantity`` units of the SKU free, from its lines in basket order."""
    left = benefit.quantity
    parts: dict[int, int] = {}
    for index in basket.goods:
        line = basket.lines[index]
        if left == 0:
            break
        if line.sku != benefit.sku or net.get(index, 0) <= 0:
            continue
        units = min(left, line.quantity)
        value = net[index] if units == line.quantity else _unit_value(net, line, index) * units
        if value > 0:
            parts[index] = value
            left -= units
    return parts


def apply_coupons(
    coupons: Sequence[TillCoupon],
    basket: TillBasket,
    net: dict[int, int],
    *,
    promoted: bool,
    with_promotions: bool = True,
) -> list[CouponVerdict]:
    """Apply the coupons in order, taking each one's parts off ``net``; every verdict.

    ``promoted``: a promotion discount already applies to this purchase;
    ``with_promotions``: the programme lets coupons join one.
    """
    verdicts: list[CouponVerdict] = []
    alone = len(coupons) == 1 and not promoted
    for coupon in in_application_order(coupons):
        if promoted and not with_promotions:
            text = NO_COUPONS_WITH_PROMOTIONS
            verdicts.append(refused(coupon.code, Reason.DOES_NOT_COMBINE, coupon.coupon_id, text))
            continue
        if not coupon.combinable and not alone:
            verdicts.append(refused(coupon.code, Reason.DOES_NOT_COMBINE, coupon.coupon_id))
            continue
        parts = discount_parts(coupon.benefit, basket, net)
        if not parts:
            verdicts.append(refused(coupon.code, Reason.NOTHING_TO_DISCOUNT, coupon.coupon_id))
            continue
        for index, part in parts.items():
            net[index] -= part
        verdicts.append(
            CouponVerdict(
                coupon.code,
                amount_minor=sum(parts.values()),
                lines=parts,
                coupon_id=coupon.coupon_id,
                detail=describe(coupon.benefit),
                sent_at=coupon.sent_at,
            )
        )
    return verdicts


def describe(benefit: Benefit) -> str:
    if isinstance(benefit, DiscountBenefit):
        size = f"{benefit.percent}%" if benefit.percent is not None else f"{benefit.amount}"
        on = {
            DiscountScope.BASKET: "the basket",
            DiscountScope.CHEAPEST_LINE: "the cheapest item",
            DiscountScope.PRODUCTS: ", ".join(benefit.skus),
        }[benefit.on]
        cap = f" (at most {benefit.maximum})" if benefit.maximum is not None else ""
        return f"coupon: {size} off {on}{cap}"
    if isinstance(benefit, FreeProductBenefit):
        return f"coupon: {benefit.quantity} x {benefit.sku} free"
    return "coupon: free delivery"
