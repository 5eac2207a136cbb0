"""What each till benefit takes off a basket, the order coupons go in, and what stacks.

Exact numbers, in minor units. Coupons come after the tier's and the rules'
discounts and before points, so points are earned on what is left to pay.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.coupons.benefits import (
    Benefit,
    DiscountBenefit,
    DiscountScope,
    FreeDeliveryBenefit,
    FreeProductBenefit,
)
from loyalo.domain.coupons.till import (
    TillBasket,
    application_rank,
    apply_coupons,
    discount_parts,
)
from loyalo.domain.coupons.validation import Reason, TillCoupon
from loyalo.domain.programme.document.tiers import Tier, TierBenefits
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.outcome import DiscountSource, Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line
from tests.rules.engine_support import ISSUE_BASKET, TUESDAY_NOON, programme, rule

D = Decimal


def percent(value: str, maximum: str | None = None, **scope: Any) -> DiscountBenefit:
    return DiscountBenefit(percent=D(value), maximum=D(maximum) if maximum else None, **scope)


def amount(value: str, maximum: str | None = None, **scope: Any) -> DiscountBenefit:
    return DiscountBenefit(amount=D(value), maximum=D(maximum) if maximum else None, **scope)


CHEAPEST = DiscountScope.CHEAPEST_LINE
PRODUCTS = DiscountScope.PRODUCTS


def basket(*lines: Line) -> TillBasket:
    goods = [i for i, line in enumerate(lines) if not line.delivery]
    delivery = [i for i, line in enumerate(lines) if line.delivery]
    return TillBasket(lines, goods, delivery, 2)


def parts(benefit: Benefit, *lines: Line) -> dict[int, int]:
    till = basket(*lines)
    return discount_parts(benefit, till, {i: line.total_minor for i, line in enumerate(lines)})


A100 = Line("A", 1, 10000)
B2x15 = Line("B", 2, 1500)
C3 = Line("C", 1, 300)
SHIP = Line("SHIP", 1, 1500, delivery=True)


@pytest.mark.parametrize(
    ("benefit", "lines", "expected"),
    [
        # the issue's reward: 10% on the basket, at most 9.00, on a basket of 120.00
        (percent("10", "9.00"), (Line("A", 1, 12000),), {0: 900}),
        (percent("10", "9.00"), (Line("A", 1, 8000),), {0: 800}),  # under the maximum
        (percent("10"), (A100,), {0: 1000}),
        (percent("10"), (A100, B2x15), {0: 1000, 1: 300}),
        (percent("10"), (A100, SHIP), {0: 1000}),  # delivery is not goods
        (percent("2.5"), (Line("A", 1, 1010),), {0: 25}),  # 25.25 rounds half up to 25
        (percent("2.5"), (Line("A", 1, 1030),), {0: 26}),  # 25.75 -> 26
        (amount("20.00"), (A100, Line("B", 1, 10000)), {0: 1000, 1: 1000}),
        # a fixed amount larger than the basket is capped at the basket
        (amount("150.00"), (A100, C3), {0: 10000, 1: 300}),
        (amount("150.00"), (A100, SHIP), {0: 10000}),
        (amount("50.00", "30.00"), (A100,), {0: 3000}),  # a maximum on an amount
        # cheapest line: one unit of the goods line whose unit is cheapest
        (percent("100", on=CHEAPEST), (A100, B2x15, C3), {2: 300}),
        (percent("100", on=CHEAPEST), (A100, B2x15), {1: 1500}),  # one unit of two
        (percent("50", on=CHEAPEST), (A100, B2x15), {1: 750}),
        (amount("20.00", on=CHEAPEST), (A100, B2x15), {1: 1500}),  # capped at that unit
        (percent("100", on=CHEAPEST), (Line("X", 1, 500), Line("Y", 1, 500)), {0: 500}),
        (percent("100", on=CHEAPEST), (C3, SHIP), {0: 300}),  # never the delivery
        # products: only the named SKUs
        (percent("20", on=PRODUCTS, skus=["B"]), (A100, B2x15), {1: 600}),
        (percent("20", on=PRODUCTS, skus=["B", "C"]), (A100, B2x15, C3), {1: 600, 2: 60}),
        (amount("5.00", on=PRODUCTS, skus=["C"]), (A100, C3), {1: 300}),
        (percent("20", on=PRODUCTS, skus=["Z"]), (A100, B2x15), {}),
        # free products
        (FreeProductBenefit(sku="B"), (A100, B2x15), {1: 1500}),
        (FreeProductBenefit(sku="B", quantity=2), (A100, B2x15), {1: 3000}),
        (FreeProductBenefit(sku="B", quantity=5), (A100, B2x15), {1: 3000}),  # what there is
        (FreeProductBenefit(sku="B", quantity=3), (B2x15, A100, B2x15), {0: 3000, 2: 1500}),
        (FreeProductBenefit(sku="Z"), (A100,), {}),
        # free delivery
        (FreeDeliveryBenefit(), (A100, SHIP), {1: 1500}),
        (FreeDeliveryBenefit(), (A100,), {}),
    ],
)
def test_what_a_benefit_takes_off(
    benefit: Benefit, lines: tuple[Line, ...], expected: dict[int, int]
) -> None:
    assert parts(benefit, *lines) == expected


def test_a_line_discounted_at_the_till_is_discounted_on_what_is_left() -> None:
    line = Line("A", 2, 5000, discount_minor=2000)  # 80.00 left of 100.00
    assert parts(percent("10"), line) == {0: 800}
    assert parts(percent("100", on=CHEAPEST), line) == {0: 4000}
    assert parts(FreeProductBenefit(sku="A"), line) == {0: 4000}


def coupon(code: str, benefit: Benefit, *, combinable: bool = True, at: int = 0) -> TillCoupon:
    return TillCoupon(code, f"id-{code}", benefit, combinable, at)


def purchase(
    compiled: CompiledProgramme,
    lines: tuple[Line, ...],
    *coupons: TillCoupon,
    tier: Tier | None = None,
) -> Outcome:
    facts = PurchaseFacts(
        lines=lines,
        at=TUESDAY_NOON,
        member=MemberView(id="m1", tier=tier.id if tier else None),
        tier=tier,
        coupons=coupons,
    )
    return evaluate_purchase(compiled, facts, lambda _rule, _bucket: 0, {}.get)


def test_a_10_percent_coupon_on_100_earns_points_on_90() -> None:
    compiled = programme(earning={"points": 1})
    outcome = purchase(compiled, (A100,), coupon("TEN", percent("10")))
    assert [(d.rule_id, d.source, d.amount_minor) for d in outcome.discounts] == [
        ("coupon:TEN", DiscountSource.COUPON, 1000)
    ]
    assert outcome.net_total_minor == 9000
    assert outcome.points == 90
    (verdict,) = outcome.coupons
    assert (verdict.applies, verdict.amount_minor, verdict.lines) == (True, 1000, {0: 1000})


SILVER = Tier(
    id="silver",
    name="Silver",
    threshold=D(500),
    benefits=TierBenefits(discount_percent=D(10)),
)


def test_tier_then_rules_then_coupons_then_points() -> None:
    compiled = programme(
        earning={"points": 1}, rules=[rule({"type": "discount", "amount": "5.00"}, id="five")]
    )
    outcome = purchase(compiled, (A100,), coupon("TEN", percent("10")), tier=SILVER)
    # 100.00 - 10% tier = 90.00 - 5.00 rule = 85.00 - 10% coupon (8.50) = 76.50
    assert [(d.rule_id, d.amount_minor) for d in outcome.discounts] == [
        ("tier:silver", 1000),
        ("five", 500),
        ("coupon:TEN", 850),
    ]
    assert outcome.net_total_minor == 7650
    assert outcome.points == 76


def test_coupons_go_products_first_then_percent_then_amount_whatever_the_order_sent() -> None:
    compiled = programme(earning={"points": 1})
    lines = (A100, B2x15, SHIP)  # goods 130.00, delivery 15.00
    sent = [
        coupon("SHIP", FreeDeliveryBenefit(), at=0),
        coupon("FIVE", amount("5.00"), at=1),
        coupon("TEN", percent("10"), at=2),
        coupon("BFREE", FreeProductBenefit(sku="B"), at=3),
        coupon("CHEAP", percent("50", on=CHEAPEST), at=4),
        coupon("APROD", percent("20", on=PRODUCTS, skus=["A"]), at=5),
    ]
    outcome = purchase(compiled, lines, *sent)
    assert [(d.rule_id, d.amount_minor, d.lines) for d in outcome.discounts] == [
        ("coupon:BFREE", 1500, {1: 1500}),  # one B free: B is 15.00 left
        ("coupon:APROD", 2000, {0: 2000}),  # A: 80.00 left
        # one unit of B: the 15.00 left of its two units is 7.50 a unit; half of it
        ("coupon:CHEAP", 375, {1: 375}),
        ("coupon:TEN", 913, {0: 800, 1: 113}),  # 10% of 91.25 (80.00 + 11.25), half up
        ("coupon:FIVE", 500, {0: 438, 1: 62}),  # split by what is left: 72.00 and 10.12
        ("coupon:SHIP", 1500, {2: 1500}),
    ]
    assert outcome.net_total_minor == 14500 - 1500 - 2000 - 375 - 913 - 500 - 1500
    assert outcome.points == 77  # on the 77.12 left of the goods


@given(st.permutations(range(4)))
def test_the_order_sent_does_not_change_the_outcome(order: list[int]) -> None:
    compiled = programme(earning={"points": 1})
    benefits: list[Benefit] = [
        amount("5.00"),
        percent("10"),
        percent("15", on=PRODUCTS, skus=["B"]),
        FreeDeliveryBenefit(),
    ]
    reference = purchase(
        compiled, ISSUE_BASKET, *(coupon(f"C{i}", b, at=i) for i, b in enumerate(benefits))
    )
    shuffled = purchase(
        compiled,
        ISSUE_BASKET,
        *(coupon(f"C{i}", benefits[i], at=p) for p, i in enumerate(order)),
    )
    assert shuffled.discounts == reference.discounts
    assert shuffled.points == reference.points


def test_two_amounts_of_one_kind_go_in_the_order_sent() -> None:
    compiled = programme()
    first, second = coupon("X", amount("80.00"), at=0), coupon("Y", amount("80.00"), at=1)
    outcome = purchase(compiled, (A100,), second, first)
    assert [(v.code, v.amount_minor, v.reason) for v in outcome.coupons] == [
        ("X", 8000, None),
        ("Y", 2000, None),  # capped at what is left
    ]


def test_a_coupon_with_nothing_left_to_discount_is_refused_with_a_reason() -> None:
    compiled = programme()
    outcome = purchase(
        compiled,
        (A100,),
        coupon("ALL", amount("100.00"), at=0),
        coupon("MORE", percent("10"), at=1),
        coupon("SHIP", FreeDeliveryBenefit(), at=2),
    )
    reasons = {v.code: v.reason for v in outcome.coupons}
    # the percentage goes first: 10.00, then the amount takes the 90.00 left
    assert reasons == {"MORE": None, "ALL": None, "SHIP": Reason.NOTHING_TO_DISCOUNT}
    assert outcome.net_total_minor == 0


PROGRESSIVE = {"type": "progressive_discount", "bands": [{"from": "0", "percent": 3}]}


@pytest.mark.parametrize(
    ("rules", "others", "applies"),
    [
        ([], [], True),  # alone: it applies
        ([], [coupon("OTHER", amount("1.00"), at=1)], False),  # another coupon
        ([rule({"type": "discount", "percent": 5})], [], False),  # a promotion
        (
            [
                rule(
                    PROGRESSIVE := {
                        "type": "progressive_discount",
                        "bands": [{"from": "0", "percent": 3}],
                    }
                )
            ],
            [],
            False,
        ),
    ],
)
def test_a_coupon_that_does_not_combine_applies_only_alone(
    rules: list[dict[str, Any]], others: list[TillCoupon], applies: bool
) -> None:
    compiled = programme(rules=rules)
    solo = coupon("SOLO", percent("20"), combinable=False)
    outcome = purchase(compiled, (A100,), solo, *others)
    verdict = next(v for v in outcome.coupons if v.code == "SOLO")
    assert verdict.applies is applies
    if not applies:
        assert verdict.reason is Reason.DOES_NOT_COMBINE
        assert "coupon:SOLO" not in [d.rule_id for d in outcome.discounts]
    for other in others:  # a combinable coupon still applies next to it
        assert next(v for v in outcome.coupons if v.code == other.code).applies


def test_a_tier_discount_does_not_count_as_a_promotion() -> None:
    solo = coupon("SOLO", percent("20"), combinable=False)
    outcome = purchase(programme(), (A100,), solo, tier=SILVER)
    assert outcome.coupons[0].applies
    assert outcome.net_total_minor == 10000 - 1000 - 1800


@given(
    st.lists(st.integers(min_value=1, max_value=50_000), min_size=1, max_size=6),
    st.sampled_from(["5", "12.5", "50", "100"]),
    st.sampled_from(["1.00", "30.00", "999.00"]),
)
def test_coupons_never_take_more_than_is_left_and_parts_add_up(
    prices: list[int], pct: str, fixed: str
) -> None:
    lines = tuple(Line(f"S{i}", 1 + i % 3, price) for i, price in enumerate(prices))
    net = {i: line.total_minor for i, line in enumerate(lines)}
    coupons = [
        coupon("P", percent(pct), at=0),
        coupon("A", amount(fixed), at=1),
        coupon("C", percent("100", on=CHEAPEST), at=2),
    ]
    verdicts = apply_coupons(coupons, basket(*lines), net, promoted=False)
    for verdict in verdicts:
        assert sum(verdict.lines.values()) == verdict.amount_minor
    assert all(value >= 0 for value in net.values())
    taken = sum(v.amount_minor for v in verdicts)
    assert taken + sum(net.values()) == sum(line.total_minor for line in lines)


def test_every_kind_of_benefit_has_its_own_rank() -> None:
    in_order = [
        FreeProductBenefit(sku="A"),
        percent("1", on=PRODUCTS, skus=["A"]),
        percent("1", on=CHEAPEST),
        percent("1"),
        amount("1.00"),
        FreeDeliveryBenefit(),
    ]
    assert [application_rank(b) for b in in_order] == list(range(6))


@pytest.mark.parametrize(
    ("with_promotions", "rules", "applies"),
    [
        (True, [rule({"type": "discount", "percent": 5})], True),
        (False, [rule({"type": "discount", "percent": 5})], False),
        (False, [rule(PROGRESSIVE)], False),
        (False, [], True),  # no promotion on the purchase: the code applies
    ],
)
def test_a_programme_may_keep_coupons_off_promoted_purchases(
    with_promotions: bool, rules: list[dict[str, Any]], applies: bool
) -> None:
    compiled = programme(rules=rules, coupons={"with_promotions": with_promotions})
    outcome = purchase(compiled, (A100,), coupon("TEN", percent("10")))
    (verdict,) = outcome.coupons
    assert verdict.applies is applies
    if not applies:
        assert verdict.reason is Reason.DOES_NOT_COMBINE
        assert verdict.detail == "the programme does not combine coupons with promotions"


def test_a_tier_discount_is_no_promotion_for_the_programme_s_policy() -> None:
    compiled = programme(coupons={"with_promotions": False})
    outcome = purchase(compiled, (A100,), coupon("TEN", percent("10")), tier=SILVER)
    assert outcome.coupons[0].applies
