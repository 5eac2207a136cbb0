"""The engine gives the same Outcome as a straightforward model, on random programmes.

``reference_engine.py`` is the engine as first written, without the rule
index or any shortcut. Hypothesis draws programmes (rules of every effect on
SKUs, categories, labels, prices and the basket, with exclusions, minimum
orders, tiers, schedules, limits, budgets, priorities and exclusive rules),
baskets, members and moments, and every field of the two outcomes must match:
discounts, awards and their per-line split, descriptions, skips, usage and the
net lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.base import Rounding
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.arithmetic import (
    allocate,
    percent_of,
    rate_per_minor,
    round_ratio,
)
from loyalo.domain.programme.engine.compiled import compile_programme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line
from tests.rules import reference_engine
from tests.rules.reference_engine import Model, model_purchase

SKUS = ("A", "B", "C", "D", "DELIVERY")
CATEGORIES = (None, "coffee", "tea", "cake")
LABELS = ("red", "blue", "green")

LINE_CONDITIONS = (
    'line.sku == "A"',
    'line.sku in ["B", "C"]',
    '"C" == line.sku',
    'line.category == "coffee"',
    'line.category in ["tea", "cake"]',
    '"red" in line.labels',
    "line.price >= 10",
    "line.amount < 25.50",
    "line.quantity >= 2",
    "not line.delivery",
    "len(line.labels) == 0",
    "line.amount * 2 > basket.total",
    'line.name == "espresso"',
)
WHEN_CONDITIONS = (
    "basket.total >= 50",
    "basket.total < 20.005",
    'channel == "app"',
    "time.weekday in [5, 6]",
    "time.hour >= 12",
    'tier == "silver"',
    'member.attributes.city == "Gdansk"',
    "basket.quantity > 3",
    '"A" in basket.skus',
    '"tea" in basket.categories && "red" in basket.labels',
    "len(basket.lines) >= 2",
    'store == "s1" or trigger == "event"',
    'line.sku == "A"',  # no line in a when: never true
    "member.spent >= 100",
    'member.plan == "club"',
)
LIMIT_KEYS = (None, "channel", "basket.total", "time.hour", "line.sku", "1 / 0")

TIERS = {
    "levels": [
        {"id": "bronze", "name": "Bronze", "threshold": 0},
        {
            "id": "silver",
            "name": "Silver",
            "threshold": 500,
            "benefits": {"discount_percent": "7.5", "free_delivery": True},
        },
        {
            "id": "gold",
            "name": "Gold",
            "threshold": 1000,
            "benefits": {"discount_percent": 15, "earn_multiplier": "1.5"},
        },
    ]
}

lines_condition = st.one_of(
    st.sampled_from(LINE_CONDITIONS),
    st.builds(
        "{} {} {}".format,
        st.sampled_from(LINE_CONDITIONS),
        st.sampled_from(("and", "or", "&&")),
        st.sampled_from(LINE_CONDITIONS),
    ),
    st.builds(
        "({} or {}) and {}".format,
        st.sampled_from(LINE_CONDITIONS[:6]),
        st.sampled_from(LINE_CONDITIONS[:6]),
        st.sampled_from(LINE_CONDITIONS),
    ),
)

effects = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("points_per_amount"),
            "points": st.sampled_from(("1", "2", "5", "0.5")),
            "per": st.sampled_from(("1.00", "2.50", "10", "3")),
            "rounding": st.sampled_from(("down", "half_up", "up")),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("multiplier"), "factor": st.sampled_from(("1.5", "2", "3"))}
    ),
    st.fixed_dictionaries({"type": st.just("points_per_unit"), "points": st.integers(1, 20)}),
    st.fixed_dictionaries({"type": st.just("product_bonus"), "points": st.integers(1, 99)}),
    st.fixed_dictionaries({"type": st.just("points"), "points": st.integers(1, 99)}),
    st.fixed_dictionaries(
        {"type": st.just("cashback"), "percent": st.sampled_from(("1", "2.5", "10"))}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("stamps"),
            "card": st.just("coffee"),
            "per_unit": st.integers(1, 2),
            "goal": st.just(9),
            "reward": st.just("free-coffee"),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("progressive_discount"),
            "bands": st.sampled_from(
                (
                    [{"from": "100.00", "percent": 3}],
                    [{"from": "0", "percent": 2}, {"from": "500", "percent": 5}],
                )
            ),
        }
    ),
    st.fixed_dictionaries({"type": st.just("discount"), "percent": st.sampled_from((5, 10, 50))}),
    st.fixed_dictionaries(
        {"type": st.just("discount"), "amount": st.sampled_from(("1.00", "5", "1000"))}
    ),
    st.fixed_dictionaries({"type": st.just("issue_reward"), "reward": st.just("coupon")}),
)

schedules = st.one_of(
    st.none(),
    st.fixed_dictionaries({"days": st.lists(st.sampled_from(("mon", "sat", "sun")), max_size=2)}),
    st.fixed_dictionaries(
        {"from": st.sampled_from(("08:00", "22:00")), "until": st.sampled_from(("12:30", "02:00"))}
    ),
    st.sampled_from(  # a naive moment is in the programme's time zone
        (
            {"starts": "2026-11-20T00:00:00", "ends": "2026-11-25T12:00:00"},
            {"starts": "2026-11-23T00:00:00+00:00", "ends": "2026-11-25T12:00:00+01:00"},
        )
    ),
)


@st.composite
def limits(draw: st.DrawFn) -> dict[str, Any] | None:
    per_member = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "times": st.integers(1, 2),
                "per": st.sampled_from(("day", "week", "month", "quarter", "year", "ever")),
            }
        )
    )
    budget = draw(st.none() | st.integers(1, 300))
    if per_member is None and budget is None:
        return None
    key = draw(st.sampled_from(LIMIT_KEYS))
    if per_member is not None and key is not None:
        per_member["key"] = key
    return {"per_member": per_member, "budget_points": budget}


@st.composite
def rules(draw: st.DrawFn, position: int) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": f"r{position}",
        "name": f"Rule {position}",
        "effect": draw(effects),
        "priority": draw(st.integers(0, 2)),
    }
    optional = {
        "lines": lines_condition,
        "when": st.sampled_from(WHEN_CONDITIONS),
        "exclude_skus": st.lists(st.sampled_from(SKUS), max_size=2),
        "exclude_labels": st.lists(st.sampled_from(LABELS), max_size=1),
        "include_delivery": st.booleans(),
        "min_order": st.sampled_from(("10.00", "50", "1000")),
        "tiers": st.lists(st.sampled_from(("bronze", "silver", "gold")), min_size=1, max_size=2),
        "schedule": schedules,
        "limits": limits(),
        "stacking": st.sampled_from(("stack", "exclusive")),
    }
    for name, strategy in optional.items():
        if draw(st.integers(0, 3)) == 0:
            value = draw(strategy)
            if value is not None:
                rule[name] = value
    return rule


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """A paid membership plan with any mix of benefits."""
    prices = st.sampled_from(("0.50", "5.00", "20.00"))
    benefits = {
        "earn_multiplier": draw(st.sampled_from(("1", "1.5", "2", "3"))),
        "free_delivery": draw(st.booleans()),
        "member_prices": draw(st.dictionaries(st.sampled_from(SKUS), prices, max_size=2)),
        "discount_percent": draw(st.none() | st.sampled_from(("5", "12.5"))),
        "discount_labels": draw(st.lists(st.sampled_from(LABELS), max_size=1)),
        "discount_categories": draw(st.lists(st.sampled_from(("coffee", "cake")), max_size=1)),
    }
    return {"id": "club", "name": "Club", "fee": "10.00", "benefits": benefits}


@st.composite
def documents(draw: st.DrawFn) -> ProgrammeDocument:
    count = draw(st.integers(0, 8))
    earning = draw(
        st.fixed_dictionaries(
            {
                "points": st.sampled_from((0, 1, 2)),
                "per": st.sampled_from(("1.00", "10")),
                "rounding": st.sampled_from(("down", "half_up")),
                "exclude_skus": st.lists(st.sampled_from(SKUS), max_size=1),
                "include_delivery": st.booleans(),
            }
        )
    )
    return ProgrammeDocument.model_validate(
        {
            "currency": draw(st.sampled_from(("PLN", "JPY"))),
            "timezone": draw(st.sampled_from(("Europe/Warsaw", "UTC"))),
            "earning": earning,
            "delivery_skus": ["DELIVERY"],
            "tiers": TIERS,
            "rules": [draw(rules(position)) for position in range(count)],
            "memberships": [draw(plans())],
        }
    )


@st.composite
def baskets(draw: st.DrawFn) -> tuple[Line, ...]:
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        quantity = draw(st.integers(1, 4))
        price = draw(st.integers(0, 6000))
        lines.append(
            Line(
                sku=draw(st.sampled_from(SKUS)),
                quantity=quantity,
                unit_price_minor=price,
                discount_minor=draw(st.integers(0, quantity * price)),
                name=draw(st.sampled_from((None, "espresso"))),
                category=draw(st.sampled_from(CATEGORIES)),
                labels=tuple(draw(st.lists(st.sampled_from(LABELS), max_size=2, unique=True))),
                delivery=draw(st.integers(0, 5)) == 0,
            )
        )
    return tuple(lines)


@st.composite
def purchases(draw: st.DrawFn, document: ProgrammeDocument) -> PurchaseFacts:
    assert document.tiers is not None
    tier: Tier | None = draw(st.none() | st.sampled_from(document.tiers.levels))
    at = datetime(2026, 11, 21, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 7 * 1440)))
    city = draw(st.sampled_from(("Gdansk", "Warsaw")))
    spent = draw(st.sampled_from((0, 5_000, 20_000, 200_000)))
    plan = draw(st.none() | st.just(document.memberships[0]))
    return PurchaseFacts(
        lines=draw(baskets()),
        at=at,
        member=MemberView(
            id="m1",
            tier=tier.id if tier else None,
            attributes={"city": city},
            spent=reference_engine.units(spent, 2),
            plan=plan.id if plan else None,
        ),
        tier=tier,
        channel=draw(st.sampled_from(("store", "app"))),
        store=draw(st.sampled_from(("s1", "s2"))),
        spent_before_minor=spent,
        plan=plan,
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_engine_agrees_with_the_model(data: st.DataObject) -> None:
    document = data.draw(documents())
    facts = data.draw(purchases(document))
    used = data.draw(
        st.dictionaries(st.sampled_from([r.id for r in document.rules] or ["-"]), st.integers(0, 2))
    )
    budgets = data.draw(
        st.dictionaries(
            st.sampled_from([r.id for r in document.rules] or ["-"]), st.integers(0, 300)
        )
    )

    def usage(rule: str, _bucket: str) -> int:
        return used.get(rule, 0)

    engine = evaluate_purchase(compile_programme(document, 3), facts, usage, budgets.get)
    model = model_purchase(Model.of(document, 3), facts, usage, budgets.get)

    assert engine == model
    assert _in_order(engine) == _in_order(model)  # the splits list their lines alike, too


def _in_order(outcome: Outcome) -> list[list[tuple[int, int]]]:
    splits = [award.lines for award in outcome.awards]
    splits += [discount.lines for discount in outcome.discounts]
    return [list(split.items()) for split in [*splits, outcome.net_lines]]


@given(
    total=st.integers(-1000, 10_000),
    weights=st.dictionaries(st.integers(0, 30), st.integers(-5, 5000), max_size=12)
    | st.dictionaries(st.integers(0, 30), st.integers(1, 3), max_size=12),  # often equal
)
def test_allocate_splits_as_the_plain_largest_remainder_loop(
    total: int, weights: Mapping[int, int]
) -> None:
    assert allocate(total, weights) == reference_engine.allocate(total, weights)


@given(
    amount=st.integers(-(10**12), 10**12),
    percent=st.decimals(min_value="0.001", max_value="100", places=3),
)
def test_percent_of_rounds_as_the_decimal_formula(amount: int, percent: Decimal) -> None:
    assert percent_of(amount, percent) == reference_engine.percent_of(amount, percent)


@given(
    amount=st.integers(0, 10**12),
    points=st.decimals(min_value="0.01", max_value="1000", places=2),
    per=st.decimals(min_value="0.01", max_value="1000", places=2),
    exponent=st.sampled_from((0, 2, 3)),
    rounding=st.sampled_from(Rounding),
)
def test_points_per_amount_in_integers_round_as_the_decimal_formula(
    amount: int, points: Decimal, per: Decimal, exponent: int, rounding: Rounding
) -> None:
    numerator, denominator = rate_per_minor(points, per, exponent)
    exact = round_ratio(amount * numerator, denominator, rounding)
    as_decimals = reference_engine.units(amount, exponent) * points / per
    assert exact == reference_engine.to_integer(as_decimals, rounding)


ALLOCATIONS: list[tuple[int, dict[int, int], dict[int, int]]] = [
    (10, {}, {}),
    (0, {0: 5}, {}),
    (7, {3: 5}, {3: 7}),
    (7, {3: 0, 4: 5}, {4: 7}),
    (10, {0: 1, 1: 1, 2: 1}, {0: 4, 1: 3, 2: 3}),  # equal weights: the earlier keys get more
    (2, {0: 1, 1: 1, 2: 1}, {0: 1, 1: 1}),
    (100, {0: 1200, 1: 10000, 2: 0}, {0: 11, 1: 89}),
    (1, {5: 1, 2: 1}, {2: 1}),  # a tie goes to the smaller key, not the first one
    (5, {3: 2, 1: 2, 0: 2}, {3: 1, 1: 2, 0: 2}),
    (-1, {0: 1, 1: 1, 2: 1}, {2: -1}),  # never for points; still the same split
]


@pytest.mark.parametrize(("total", "weights", "parts"), ALLOCATIONS)
def test_allocate_exactly(total: int, weights: dict[int, int], parts: dict[int, int]) -> None:
    assert allocate(total, weights) == parts
    assert sum(parts.values()) == (total if parts else 0)
