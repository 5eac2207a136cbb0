"""Discounts, tiers, limits, schedules, stacking and budgets, with exact numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from loyalo.domain.programme.document.tiers import Tier, TierBenefits
from loyalo.domain.purchases.basket import Line
from tests.rules.engine_support import ISSUE_BASKET, SATURDAY_NOON, event, programme, quote, rule

PROGRESSIVE = {
    "type": "progressive_discount",
    "bands": [{"from": "1000.00", "percent": 3}, {"from": "3000.00", "percent": 5}],
}
SILVER = Tier(
    id="silver",
    name="Silver",
    threshold=Decimal(500),
    benefits=TierBenefits(discount_percent=Decimal(10), free_delivery=True),
)


@pytest.mark.parametrize(
    ("spent_minor", "discount"),
    [(0, 0), (99_999, 0), (100_000, 336), (299_999, 336), (300_000, 560)],
)
def test_progressive_discount_by_what_was_spent_before(spent_minor: int, discount: int) -> None:
    # goods are 112.00 (delivery is never discounted by a promotion): 3% = 3.36, 5% = 5.60
    outcome = quote(programme(rules=[rule(PROGRESSIVE)]), spent_minor=spent_minor)
    assert outcome.discount_minor == discount


def test_tier_discount_and_free_delivery_then_points_on_what_is_paid() -> None:
    outcome = quote(programme(earning={"points": 1}), tier=SILVER)
    assert [(d.rule_id, d.amount_minor) for d in outcome.discounts] == [
        ("tier:silver", 1120),
        ("tier:silver", 4000),
    ]
    assert outcome.net_total_minor == 15200 - 1120 - 4000
    assert outcome.points == 100  # floor(100.80)


def test_discounts_apply_in_priority_order_on_what_is_left() -> None:
    rules = [
        rule({"type": "discount", "percent": 10}, id="ten", priority=1),
        rule({"type": "discount", "amount": "5.00"}, id="five", priority=2),
    ]
    outcome = quote(programme(rules=rules), (Line("A", 1, 10000),))
    assert [(d.rule_id, d.amount_minor) for d in outcome.discounts] == [("five", 500), ("ten", 950)]
    assert outcome.net_total_minor == 8550


def test_points_after_a_promotion_are_earned_on_what_is_paid() -> None:
    compiled = programme(earning={"points": 1}, rules=[rule({"type": "discount", "percent": 10})])
    assert quote(compiled, (Line("A", 1, 10000),)).points == 90


def test_a_fixed_discount_never_exceeds_the_lines() -> None:
    compiled = programme(
        rules=[rule({"type": "discount", "amount": "50.00"}, lines='line.sku == "123"')]
    )
    outcome = quote(compiled)
    assert outcome.discount_minor == 1200
    assert outcome.net_lines == {0: 0, 1: 10000, 2: 4000}


def test_an_exclusive_rule_stops_lower_priority_promotions_not_the_base_rate() -> None:
    rules = [
        rule({"type": "multiplier", "factor": 5}, id="x5", priority=10, stacking="exclusive"),
        rule({"type": "multiplier", "factor": 2}, id="x2", priority=5),
        rule({"type": "points", "points": 50}, id="fifty", priority=1),
    ]
    outcome = quote(programme(earning={"points": 1}, rules=rules))
    assert [(a.rule_id, a.points) for a in outcome.awards] == [("base-rate", 152), ("x5", 608)]


def test_stacking_rules_add_their_multipliers() -> None:
    rules = [
        rule({"type": "multiplier", "factor": 2}, id="x2"),
        rule({"type": "multiplier", "factor": 3}, id="x3"),
    ]
    assert quote(programme(earning={"points": 1}, rules=rules)).points == 152 * 4


def test_a_lower_priority_exclusive_rule_does_not_stop_higher_ones() -> None:
    rules = [
        rule({"type": "points", "points": 7}, id="high", priority=9),
        rule({"type": "points", "points": 3}, id="excl", priority=1, stacking="exclusive"),
        rule({"type": "points", "points": 1}, id="low", priority=0),
    ]
    assert [a.rule_id for a in quote(programme(rules=rules)).awards] == ["high", "excl"]


@pytest.mark.parametrize(
    ("at", "applies"),
    [
        (datetime(2026, 12, 1, 9, 59, tzinfo=UTC), False),
        (datetime(2026, 12, 1, 10, 0, tzinfo=UTC), True),
        (datetime(2026, 12, 1, 13, 59, tzinfo=UTC), True),
        (datetime(2026, 12, 1, 14, 0, tzinfo=UTC), False),
        (datetime(2026, 11, 30, 12, 0, tzinfo=UTC), False),  # before it starts
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), False),  # after it ends
    ],
)
def test_schedules_by_dates_and_hours(at: datetime, applies: bool) -> None:
    schedule = {
        "starts": "2026-12-01T00:00:00",
        "ends": "2027-01-01T00:00:00",
        "from": "10:00",
        "until": "14:00",
    }
    compiled = programme(rules=[rule({"type": "points", "points": 5}, schedule=schedule)])
    assert (quote(compiled, at=at).points == 5) is applies


def test_hours_are_read_in_the_programme_time_zone() -> None:
    schedule = {"from": "10:00", "until": "11:00"}
    compiled = programme(
        timezone="Europe/Warsaw", rules=[rule({"type": "points", "points": 5}, schedule=schedule)]
    )
    assert (
        quote(compiled, at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC)).points == 5
    )  # 10:30 in Warsaw
    assert quote(compiled, at=datetime(2026, 11, 24, 10, 30, tzinfo=UTC)).points == 0


def test_a_rule_for_some_tiers_only() -> None:
    compiled = programme(
        tiers={
            "levels": [
                {"id": "bronze", "name": "Bronze", "threshold": 0},
                {"id": "silver", "name": "Silver", "threshold": 500},
            ]
        },
        rules=[rule({"type": "points", "points": 5}, tiers=["silver"])],
    )
    assert quote(compiled, tier=SILVER.model_copy(update={"benefits": TierBenefits()})).points == 5
    assert quote(compiled).points == 0


def test_once_a_day_per_member() -> None:
    compiled = programme(
        rules=[
            rule({"type": "points", "points": 5}, limits={"per_member": {"times": 1, "per": "day"}})
        ]
    )
    first = quote(compiled)
    assert first.points == 5
    assert [(u.rule_id, u.bucket) for u in first.usage] == [("r1", "2026-11-24")]
    assert quote(compiled, usage={("r1", "2026-11-24"): 1}).points == 0
    assert quote(compiled, usage={("r1", "2026-11-23"): 1}).points == 5


def test_a_budget_caps_then_stops_a_campaign() -> None:
    compiled = programme(
        rules=[rule({"type": "points", "points": 50}, limits={"budget_points": 1000})]
    )
    assert quote(compiled, budget={"r1": 1000}).points == 50
    capped = quote(compiled, budget={"r1": 20})
    assert capped.points == 20
    assert capped.awards[0].budget_capped
    assert quote(compiled, budget={"r1": 0}).points == 0


def test_a_review_earns_once_per_product() -> None:
    review = rule(
        {"type": "points", "points": 50},
        trigger="event",
        event="review_posted",
        limits={"per_member": {"times": 1, "per": "ever", "key": "event.product_id"}},
    )
    compiled = programme(rules=[review])
    first = event(compiled, "review_posted", {"product_id": "P1"})
    assert first.points == 50
    (use,) = first.usage
    assert (
        event(
            compiled, "review_posted", {"product_id": "P1"}, usage={(use.rule_id, use.bucket): 1}
        ).points
        == 0
    )
    assert (
        event(
            compiled, "review_posted", {"product_id": "P2"}, usage={(use.rule_id, use.bucket): 1}
        ).points
        == 50
    )
    assert event(compiled, "newsletter_signup").points == 0


def test_welcome_and_birthday_bonuses_are_event_rules() -> None:
    compiled = programme(bonuses={"welcome_points": 50, "birthday_points": 30})
    assert event(compiled, "member_enrolled").points == 50
    birthday = event(compiled, "birthday", at=SATURDAY_NOON)
    assert birthday.points == 30
    assert [(u.rule_id, u.bucket) for u in birthday.usage] == [("birthday-bonus", "2026")]


def test_issue_basket_unchanged_by_rules_for_other_skus() -> None:
    rules = [
        rule({"type": "points", "points": 5}, id=f"sku-{n}", lines=f'line.sku == "S{n}"')
        for n in range(50)
    ]
    compiled = programme(earning={"points": 1}, rules=rules)
    assert compiled.purchase_unindexed == ()
    assert quote(compiled, ISSUE_BASKET).points == 152
    assert quote(compiled, (Line("S7", 1, 100),)).points == 1 + 5
