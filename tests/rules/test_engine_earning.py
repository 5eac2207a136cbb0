"""The issue's examples and more, with exact numbers (pure engine, no storage)."""

from __future__ import annotations

from typing import Any

import pytest

from loyalo.domain.purchases.basket import Line
from tests.rules.engine_support import SATURDAY_NOON, programme, quote, rule

FOUR_PER_UNIT = {"type": "points_per_amount", "points": 4, "per": "1.00"}

ISSUE_CASES: list[tuple[str, dict[str, Any], int]] = [
    ("4 per 1.00 including delivery", rule(FOUR_PER_UNIT), 608),
    ("minimum order 300.00", rule(FOUR_PER_UNIT, min_order="300.00"), 0),
    ("excluding SKU 000", rule(FOUR_PER_UNIT, exclude_skus=["000"]), 208),
    ("excluding label red", rule(FOUR_PER_UNIT, exclude_labels=["red"]), 560),
    ("only label red", rule(FOUR_PER_UNIT, lines='"red" in line.labels'), 48),
    (
        "excluding red and delivery",
        rule(FOUR_PER_UNIT, exclude_labels=["red"], include_delivery=False),
        400,
    ),
]


@pytest.mark.parametrize(("case", "spec", "points"), ISSUE_CASES, ids=[c[0] for c in ISSUE_CASES])
def test_the_issue_basket_earns_exactly(case: str, spec: dict[str, Any], points: int) -> None:
    outcome = quote(programme(rules=[spec]))
    assert outcome.points == points


def test_a_multiplier_multiplies_what_its_lines_earned() -> None:
    rules = [
        rule(FOUR_PER_UNIT, id="four"),
        rule({"type": "multiplier", "factor": 3}, id="x3", lines='line.sku == "123"'),
    ]
    outcome = quote(programme(rules=rules))
    assert outcome.points == 704
    assert {a.rule_id: a.points for a in outcome.awards} == {"four": 608, "x3": 96}
    assert outcome.awards[1].lines == {0: 96}


def test_the_base_rate_is_a_rule_a_multiplier_can_double() -> None:
    compiled = programme(
        earning={"points": 1},
        rules=[
            rule(
                {"type": "multiplier", "factor": 2}, id="weekend", schedule={"days": ["sat", "sun"]}
            )
        ],
    )
    assert quote(compiled, at=SATURDAY_NOON).points == 304
    assert quote(compiled).points == 152  # a Tuesday
    awards = quote(compiled, at=SATURDAY_NOON).awards
    assert [(a.rule_id, a.points) for a in awards] == [("base-rate", 152), ("weekend", 152)]


def test_points_are_attributed_to_lines_and_add_up() -> None:
    outcome = quote(programme(earning={"points": 1}))
    (award,) = outcome.awards
    assert award.lines == {0: 12, 1: 100, 2: 40}
    assert sum(award.lines.values()) == award.points


MORE_CASES: list[tuple[str, dict[str, Any], tuple[Line, ...], int]] = [
    (
        "per unit of a SKU",
        rule({"type": "points_per_unit", "points": 10}, lines='line.sku == "A"'),
        (Line("A", 3, 100), Line("B", 2, 100)),
        30,
    ),
    (
        "product bonus once per receipt",
        rule({"type": "product_bonus", "points": 25}, lines='line.sku == "A"'),
        (Line("A", 3, 100), Line("A", 1, 100)),
        25,
    ),
    (
        "no bonus without the product",
        rule({"type": "product_bonus", "points": 25}, lines='line.sku == "A"'),
        (Line("B", 1, 100),),
        0,
    ),
    (
        "fixed points on any purchase",
        rule({"type": "points", "points": 15}),
        (Line("B", 1, 100),),
        15,
    ),
    (
        "cashback 5% as points at 10 per 1.00",
        rule({"type": "cashback", "percent": 5}),
        (Line("B", 1, 10000),),
        50,
    ),
    (
        "cashback rounds down to a minor unit",
        rule({"type": "cashback", "percent": 3}),
        (Line("B", 1, 999),),
        2,
    ),
    (
        "1.5 points per 2.00, rounded down",
        rule({"type": "points_per_amount", "points": "1.5", "per": 2}),
        (Line("B", 1, 999),),
        7,
    ),
    (
        "1.5 points per 2.00, rounded half up",
        rule({"type": "points_per_amount", "points": "1.5", "per": 2, "rounding": "half_up"}),
        (Line("B", 1, 999),),
        7,
    ),
    (
        "1.5 points per 2.00, rounded up",
        rule({"type": "points_per_amount", "points": "1.5", "per": 2, "rounding": "up"}),
        (Line("B", 1, 999),),
        8,
    ),
    (
        "a category condition",
        rule(FOUR_PER_UNIT, lines='line.category == "tea"'),
        (Line("T", 2, 250, category="tea"), Line("C", 1, 500, category="coffee")),
        20,
    ),
    (
        "a basket condition",
        rule({"type": "points", "points": 9}, when="basket.total >= 10 and basket.quantity > 1"),
        (Line("T", 2, 500),),
        9,
    ),
    (
        "a basket condition that fails",
        rule({"type": "points", "points": 9}, when="basket.total >= 10.01"),
        (Line("T", 2, 500),),
        0,
    ),
    (
        "a channel condition",
        rule({"type": "points", "points": 9}, when='channel == "app"'),
        (Line("T", 2, 500),),
        0,
    ),
]


@pytest.mark.parametrize(
    ("case", "spec", "lines", "points"), MORE_CASES, ids=[c[0] for c in MORE_CASES]
)
def test_effects_earn_exactly(
    case: str, spec: dict[str, Any], lines: tuple[Line, ...], points: int
) -> None:
    assert quote(programme(rules=[spec]), lines).points == points


def test_cashback_to_the_money_wallet_is_money_attributed_to_its_lines() -> None:
    compiled = programme(rules=[rule({"type": "cashback", "percent": 5, "credit": "wallet"})])
    outcome = quote(compiled, (Line("A", 1, 11200), Line("B", 1, 4000)))
    (credit,) = outcome.cashback
    assert (credit.amount_minor, credit.lines) == (760, {0: 560, 1: 200})
    assert not [a for a in outcome.awards if a.rule_id == credit.rule_id]


def test_stamps_count_units_of_matching_lines() -> None:
    stamps = {"type": "stamps", "card": "coffee", "goal": 9, "reward": "free-coffee"}
    compiled = programme(rules=[rule(stamps, lines='line.category == "coffee"')])
    outcome = quote(compiled, (Line("LATTE", 2, 1200, category="coffee"), Line("CAKE", 1, 900)))
    (award,) = outcome.stamps
    assert (award.card, award.stamps, award.goal, award.reward) == ("coffee", 2, 9, "free-coffee")
