"""A paid membership's benefits in the engine: exact examples on the issue's basket."""

from __future__ import annotations

from typing import Any

import pytest

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.compiled import compile_programme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.outcome import DiscountSource, Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from tests.rules.engine_support import ISSUE_BASKET, TUESDAY_NOON, rule

# The issue's basket: SKU 123 at 12.00 (red), SKU 000 at 100.00 (blue), delivery 40.00.
GOLD = {"id": "gold", "name": "Gold", "threshold": 0, "benefits": {"earn_multiplier": "1.5"}}
BRONZE_5 = {"id": "bronze", "name": "Bronze", "threshold": 0, "benefits": {"discount_percent": 5}}


def _evaluate(
    benefits: dict[str, Any] | None, tier: dict[str, Any] | None = None, **document: Any
) -> Outcome:
    plans = [{"id": "club", "name": "Club", "fee": "19.00", "benefits": benefits or {}}]
    parsed = ProgrammeDocument.model_validate(
        {
            "earning": {"points": 1, "per": "1.00"},
            "memberships": plans,
            "tiers": {"levels": [tier]} if tier else None,
            **document,
        }
    )
    compiled = compile_programme(parsed, version=7)
    plan = parsed.memberships[0] if benefits is not None else None
    level = Tier.model_validate(tier) if tier else None
    facts = PurchaseFacts(
        lines=ISSUE_BASKET,
        at=TUESDAY_NOON,
        member=MemberView(
            id="m1", tier=level.id if level else None, plan=plan.id if plan else None
        ),
        tier=level,
        plan=plan,
    )
    return evaluate_purchase(compiled, facts, lambda rule, bucket: 0, lambda rule: None)


@pytest.mark.parametrize(
    ("benefits", "tier", "discounts", "to_pay", "points"),
    [
        (None, None, [], 15200, 152),  # no active plan: nothing
        ({}, None, [], 15200, 152),  # a plan without benefits
        ({"member_prices": {"000": "80.00"}}, None, [("membership:club", 2000)], 13200, 132),
        ({"member_prices": {"123": "15.00"}}, None, [], 15200, 152),  # dearer than the till
        ({"discount_percent": 10}, None, [("membership:club", 1120)], 14080, 140),
        (
            {"discount_percent": 10, "discount_labels": ["red"]},
            None,
            [("membership:club", 120)],
            15080,
            150,
        ),
        (  # a member-priced line gets no percentage on top
            {"member_prices": {"000": "80.00"}, "discount_percent": 10},
            None,
            [("membership:club", 2000), ("membership:club", 120)],
            13080,
            130,
        ),
        ({"free_delivery": True}, None, [("membership:club", 4000)], 11200, 112),
        ({"earn_multiplier": 2}, None, [], 15200, 304),
        # the plan multiplies the points the tier's multiplier left: 152 x 1.5 x 2
        ({"earn_multiplier": 2}, GOLD, [], 15200, 456),
        # the plan's discount first, the tier's on what is left: 112 - 11.20, then 5% of 100.80
        (
            {"discount_percent": 10},
            BRONZE_5,
            [("membership:club", 1120), ("tier:bronze", 504)],
            13576,
            135,
        ),
    ],
)
def test_plan_benefits_on_the_issue_basket(
    benefits: dict[str, Any] | None,
    tier: dict[str, Any] | None,
    discounts: list[tuple[str, int]],
    to_pay: int,
    points: int,
) -> None:
    outcome = _evaluate(benefits, tier)

    assert [(d.rule_id, d.amount_minor) for d in outcome.discounts] == discounts
    assert outcome.net_total_minor == to_pay
    assert outcome.points == points


def test_member_prices_come_off_the_lines_they_name_and_their_points_with_them() -> None:
    outcome = _evaluate({"member_prices": {"000": "80.00"}, "earn_multiplier": 2})

    (discount,) = outcome.discounts
    assert discount.source is DiscountSource.MEMBERSHIP
    assert discount.lines == {1: 2000}
    assert outcome.net_lines == {0: 1200, 1: 8000, 2: 4000}
    by_rule = {award.rule_id: award for award in outcome.awards}
    assert by_rule["base-rate"].lines == {0: 12, 1: 80, 2: 40}
    assert by_rule["membership:club"].points == 132
    assert by_rule["membership:club"].lines == {0: 12, 1: 80, 2: 40}
    assert by_rule["membership:club"].description == "x2 for Club members on 132 points"


def test_rules_can_ask_for_the_members_plan() -> None:
    bonus = rule({"type": "points", "points": 50}, when='member.plan == "club"')

    with_plan = _evaluate({}, rules=[bonus])
    without = _evaluate(None, rules=[bonus])

    assert with_plan.points == 152 + 50
    assert without.points == 152
