"""A candidate over a known history: exact points, returns, limits, budgets, tiers, values."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from loyalo.bootstrap.container import Container
from loyalo.domain.errors import CurrencyMismatch, InvalidInput, ProgrammeVersionNotFound
from loyalo.domain.programme.simulation.comparison import Comparison
from tests.simulation.support import World, apply, changed, item
from tests.support.clock import FakeClock

SHOP: dict[str, Any] = {
    "name": "Shop",
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "redeem_points_per_unit": 10,
    "earning": {"points": 1, "per": 1},
}


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=UTC)  # 2 March 2026 is a Monday


def _shop_history(world: World) -> None:
    """240 points at 1 per 1.00; a return of one A (50.00) takes 50 back."""
    world.enrol("ann")
    world.enrol("bob")
    world.at(_at(2))
    first = world.buy("ann", item("A", 5000, 2))  # Monday
    world.at(_at(2, 12))
    world.buy("ann", item("B", 4000))
    world.at(_at(7))
    world.buy("bob", item("A", 5000), item("C", 2500))  # Saturday
    world.at(_at(8))
    world.buy("ann", item("C", 2500))  # Sunday
    world.event("bob", "review_posted", product="P-1")
    world.at(_at(10))
    world.give_back(first, A=1)


def _rule(rule_id: str, effect: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"id": rule_id, "name": rule_id, "effect": effect, **fields}


TEN = {"type": "points", "points": 10}

CANDIDATES = [
    # (what changes, the candidate's fields, points issued, points taken back)
    ("nothing", {}, 240, 50),
    ("the base rate doubled", {"earning": {"points": 2, "per": 1}}, 480, 100),
    (
        "double points at the weekend",
        {
            "rules": [
                _rule(
                    "weekend-x2",
                    {"type": "multiplier", "factor": 2},
                    schedule={"days": ["sat", "sun"]},
                )
            ]
        },
        340,  # + 75 on Saturday, + 25 on Sunday
        50,  # the returned A was bought on a Monday
    ),
    (
        "30 points for buying A, once a receipt",
        {
            "rules": [
                _rule("a-bonus", {"type": "product_bonus", "points": 30}, lines='line.sku == "A"')
            ]
        },
        300,
        65,  # one of two As returned: half of its 30
    ),
    (
        "10 points a purchase, once a day",
        {"rules": [_rule("daily", TEN, limits={"per_member": {"times": 1, "per": "day"}})]},
        270,  # ann on the 2nd (not twice), bob on the 7th, ann on the 8th
        55,
    ),
    (
        "10 points a purchase, once ever",
        {"rules": [_rule("once", TEN, limits={"per_member": {"times": 1, "per": "ever"}})]},
        260,
        55,
    ),
    (
        "10 points a purchase, a budget of 25",
        {"rules": [_rule("budget", TEN, limits={"budget_points": 25})]},
        265,  # 10, 10, then 5 (capped), then none
        55,
    ),
    (
        "50 points for a review",
        {
            "rules": [
                _rule(
                    "review",
                    {"type": "points", "points": 50},
                    trigger="event",
                    event="review_posted",
                )
            ]
        },
        290,
        50,
    ),
    (
        "10% cashback in points",
        {"rules": [_rule("cb", {"type": "cashback", "percent": 10})]},
        480,
        100,
    ),
]


@pytest.mark.parametrize(
    ("change", "fields", "issued", "back"), CANDIDATES, ids=[c[0] for c in CANDIDATES]
)
def test_a_candidate_gives_exactly(
    container: Container,
    clock: FakeClock,
    change: str,
    fields: dict[str, Any],
    issued: int,
    back: int,
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    _shop_history(world)

    comparison = world.backtest(changed(SHOP, **fields))

    live, candidate = comparison.live, comparison.candidate
    assert (live.points_issued, live.points_back) == (240, 50)
    assert comparison.live_matches_ledger
    assert (candidate.points_issued, candidate.points_back) == (issued, back), change
    assert candidate.net_points == issued - back
    assert (candidate.purchases, candidate.returns, candidate.events) == (4, 1, 3)
    rows = {row.key: row for row in comparison.rows()}
    assert rows["net_points"].difference == (issued - back) - 190


def test_points_are_valued_at_each_sides_redemption_rate(
    container: Container, clock: FakeClock
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    _shop_history(world)
    cheaper = changed(SHOP, redeem_points_per_unit=20, earning={"points": 2, "per": 1})

    comparison = world.backtest(cheaper, redemption_rate=Decimal("0.5"))

    live, candidate = comparison.live, comparison.candidate
    assert (live.net_points, candidate.net_points) == (190, 380)
    assert (live.value, candidate.value) == (Decimal("19.00"), Decimal("19.00"))
    assert (live.expected_cost, candidate.expected_cost) == (Decimal("9.50"), Decimal("9.50"))
    assert live.total_cost == Decimal("9.50")  # no discounts
    assert live.liability_points == 190  # nothing before the period, nothing redeemed
    assert candidate.liability_points == 380
    assert candidate.liability_value == Decimal("19.00")


@pytest.mark.parametrize(
    ("first_day", "purchases", "candidate_back"),
    [
        (date(2026, 3, 2), 4, 100),  # bought and returned in the period: the candidate's points
        (date(2026, 3, 9), 0, 50),  # bought before: what the purchase earned, under the live one
    ],
)
def test_a_return_in_the_period_takes_back_what_the_lines_earned(
    container: Container, clock: FakeClock, first_day: date, purchases: int, candidate_back: int
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    _shop_history(world)
    doubled = changed(SHOP, earning={"points": 2, "per": 1})

    comparison = world.backtest(doubled, (first_day, date(2026, 3, 31)))

    live, candidate = comparison.live, comparison.candidate
    assert (live.purchases, live.returns, candidate.returns) == (purchases, 1, 1)
    assert (live.points_back, candidate.points_back) == (50, candidate_back)
    assert comparison.live_matches_ledger


def test_a_candidate_takes_over_from_the_live_state_on_the_first_day(
    container: Container, clock: FakeClock
) -> None:
    """A once-ever rule used before the period stays used under the candidate."""
    first_visit = _rule(
        "first",
        {"type": "points", "points": 100},
        limits={"per_member": {"times": 1, "per": "ever"}},
    )
    live = changed(SHOP, rules=[first_visit])
    apply(container, live)
    world = World(container, clock)
    _shop_history(world)
    richer = changed(SHOP, rules=[{**first_visit, "effect": {"type": "points", "points": 200}}])

    comparison = world.backtest(richer, (date(2026, 3, 5), date(2026, 3, 31)))

    # ann had hers on 2 March; bob's first visit, on the 7th, is in the period
    assert comparison.live.points_issued == 100 + 75 + 25
    assert comparison.candidate.points_issued == 200 + 75 + 25
    rules = {rule.rule_id: rule for rule in comparison.top_rules}
    # net of the return on the 10th, which takes back half of ann's (live) 100
    assert (rules["first"].live_points, rules["first"].candidate_points) == (50, 150)
    assert rules["first"].difference == Decimal("10.00")


TIERED: dict[str, Any] = changed(
    SHOP,
    tiers={
        "metric": "money_spent",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": 0},
            {"id": "silver", "name": "Silver", "threshold": 500},
            {"id": "gold", "name": "Gold", "threshold": 1000},
        ],
    },
)


def _thresholds(silver: int, gold: int) -> dict[str, Any]:
    tiers = dict(TIERED["tiers"])
    levels = [dict(level) for level in tiers["levels"]]
    levels[1]["threshold"], levels[2]["threshold"] = silver, gold
    return changed(TIERED, tiers={**tiers, "levels": levels})


def test_a_threshold_change_moves_named_members(container: Container, clock: FakeClock) -> None:
    apply(container, TIERED)
    world = World(container, clock)
    for name, spend in [("ann", 60000), ("bob", 30000), ("cat", 120000), ("dan", 5000)]:
        world.enrol(name)
        world.buy(name, item("X", spend))

    comparison = world.backtest(_thresholds(silver=250, gold=600))

    assert comparison.live.tiers == {"bronze": 2, "silver": 1, "gold": 1}
    assert comparison.candidate.tiers == {"bronze": 1, "silver": 1, "gold": 2}
    moves = {(move.live, move.candidate): move.members for move in comparison.tier_moves}
    assert moves == {
        ("silver", "gold"): (world.id_of("ann"),),
        ("bronze", "silver"): (world.id_of("bob"),),
    }
    assert comparison.members_compared == 4
    # bronze on enrolment, then up with the purchase: ann and cat live, bob too as a candidate
    assert (comparison.live.tier_upgrades, comparison.candidate.tier_upgrades) == (2, 3)


def _refused(world: World, **options: Any) -> Comparison:
    return world.backtest(SHOP, **options)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        (
            {"period": (date(2026, 3, 2), date(2026, 3, 1))},
            InvalidInput,
            "starts (2026-03-02) after",
        ),
        ({"against": 7}, ProgrammeVersionNotFound, "no programme version 7"),
        ({"redemption_rate": Decimal("1.5")}, InvalidInput, "between 0 and 1"),
        ({"processes": 3}, InvalidInput, "1 or 2 processes"),
    ],
)
def test_what_the_backtest_refuses(
    container: Container,
    clock: FakeClock,
    options: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        _refused(world, **options)


def test_a_candidate_in_another_currency_is_refused(container: Container, clock: FakeClock) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    with pytest.raises(CurrencyMismatch, match="the candidate runs in EUR"):
        world.backtest(changed(SHOP, currency="EUR"))
