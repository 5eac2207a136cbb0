"""The strongest check of the backtest: replaying the live programme over the live
history gives back, rule by rule, what the ledger recorded.

The history goes through the real services on a real database (both engines):
base rate, tier discounts and an earning multiplier, upgrades, a review with a
grace that ends in a downgrade and one that is called off, a stamp card, a
once-a-day multiplier, a campaign budget that runs out mid-purchase, cashback
in points, the progressive discount, event rules with a per-product limit, the
welcome and birthday bonuses, a partial return and a whole one.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select

from loyalo.adapters.storage.rules_state import IssuedRewardRow
from loyalo.adapters.storage.tables import PurchaseDiscountRow
from loyalo.bootstrap.container import Container
from tests.simulation.support import World, apply, item
from tests.support.clock import FakeClock

LIVE: dict[str, Any] = {
    "name": "Café live",
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "redeem_points_per_unit": 10,
    "earning": {"points": 1, "per": 1},
    "bonuses": {"welcome_points": 50, "birthday_points": 30},
    "tiers": {
        "metric": "points_earned",
        "window": "rolling",
        "months": 1,
        "grace_days": 5,
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": 0, "benefits": {"discount_percent": 5}},
            {
                "id": "silver",
                "name": "Silver",
                "threshold": 300,
                "benefits": {"discount_percent": 10, "earn_multiplier": 1.5},
            },
            {"id": "gold", "name": "Gold", "threshold": 2000},
        ],
    },
    "rules": [
        {
            "id": "coffee-stamps",
            "name": "Coffee card",
            "lines": 'line.category == "coffee"',
            "effect": {"type": "stamps", "card": "coffee", "goal": 3, "reward": "free-coffee"},
        },
        {
            "id": "coffee-x2",
            "name": "Double points on coffee, once a day",
            "lines": 'line.category == "coffee"',
            "limits": {"per_member": {"times": 1, "per": "day"}},
            "effect": {"type": "multiplier", "factor": 2},
        },
        {
            "id": "launch",
            "name": "40 points for the new blend",
            "lines": 'line.sku == "NEW"',
            "limits": {"budget_points": 100},
            "effect": {"type": "product_bonus", "points": 40},
        },
        {
            "id": "tea-cashback",
            "name": "10% back on tea",
            "lines": 'line.category == "tea"',
            "effect": {"type": "cashback", "percent": 10},
        },
        {
            "id": "loyal-discount",
            "name": "3% once a member has spent 200",
            "effect": {"type": "progressive_discount", "bands": [{"from": 200, "percent": 3}]},
        },
        {
            "id": "review",
            "name": "25 points per product review",
            "trigger": "event",
            "event": "review_posted",
            "limits": {"per_member": {"times": 1, "per": "ever", "key": "event.product"}},
            "effect": {"type": "points", "points": 25},
        },
    ],
}


def _history(world: World) -> None:
    """Silver is reached over several days, so its first review finds too little."""
    coffee = item("ESP", 1200, 2, "coffee")
    world.enrol("ann", birth_date=date(1990, 3, 20))
    world.enrol("bob")
    world.enrol("cat")
    first = world.buy("ann", coffee, item("CAKE", 800, 1, "food"))
    world.later(hours=1)
    world.buy("ann", item("ESP", 1200, 1, "coffee"))  # the x2 is used today; 3rd stamp
    world.buy("bob", item("NEW", 3000), item("TEA", 2000, 1, "tea"))
    world.later(minutes=5)
    whole = world.buy("cat", item("NEW", 5000))
    world.later(days=1)
    world.buy("ann", item("NEW", 2550))  # the budget has 20 points left
    world.buy("bob", item("NEW", 3000))  # and now none
    world.event("ann", "review_posted", product="P-1")
    world.event("ann", "review_posted", product="P-1")  # once per product
    world.event("ann", "review_posted", product="P-2")
    world.event("bob", "review_posted", key="r-9", product="P-1")
    world.later(days=3)
    world.buy("ann", item("BEANS", 15000, 1, "shop"))  # silver, with the points of 5 days
    world.later(days=1)
    world.buy("ann", item("ESP", 1150, 3, "coffee"))
    world.buy("bob", item("GRINDER", 15000, 1, "shop"))  # silver too
    world.later(days=1)
    world.give_back(first, ESP=1)  # one of two coffees
    world.give_back(whole)
    world.at(datetime(2026, 3, 20, 8, 0, tzinfo=UTC))
    world.jobs()  # ann's birthday
    world.at(datetime(2026, 4, 9, 8, 0, tzinfo=UTC))  # both reviews found too little: grace
    world.buy("bob", item("GRINDER", 25000, 1, "shop"))  # bob re-qualifies in the grace
    world.at(datetime(2026, 4, 13, 8, 0, tzinfo=UTC))  # ann's grace is over: bronze again
    world.buy("ann", item("ESP", 1200, 2, "coffee"), item("TEA", 1800, 1, "tea"))
    world.buy("cat", item("TEA", 990, 1, "tea"))


def _discounts_by_rule(container: Container) -> dict[str, int]:
    table = cast(Table, PurchaseDiscountRow.__table__)
    query = select(table.c.rule_id, func.sum(table.c.amount_minor)).group_by(table.c.rule_id)
    with container.engine.connect() as connection:
        return {rule: int(total) for rule, total in connection.execute(query)}


def _rewards(container: Container) -> Counter[str]:
    with container.engine.connect() as connection:
        return Counter(connection.scalars(select(IssuedRewardRow.reward)))


def test_the_live_replay_gives_back_the_ledger_rule_by_rule(
    container: Container, clock: FakeClock
) -> None:
    document = apply(container, LIVE)
    world = World(container, clock)
    _history(world)

    figures = world.replay(document, until=clock.now() + timedelta(seconds=1))

    ledger = world.ledger_by_rule()
    issued = {rule: points for (kind, rule), points in ledger.items() if kind == "earn"}
    back = {rule: points for (kind, rule), points in ledger.items() if kind == "return"}
    assert {r: f.points_issued for r, f in figures.rules.items() if f.points_issued} == issued
    assert {r: f.points_back for r, f in figures.rules.items() if f.points_back} == back
    # every kind of rule took part, so the equality above means something
    assert set(issued) >= {
        "base-rate",
        "coffee-x2",
        "launch",
        "tea-cashback",
        "review",
        "welcome-bonus",
        "birthday-bonus",
        "tier:silver",
    }
    assert issued["launch"] == 100  # 40 + 40 + 20 (capped), then nothing
    assert issued["review"] == 75  # ann P-1, ann P-2, bob P-1
    assert set(back) >= {"base-rate", "coffee-x2", "launch"}
    discounts = {r: f.discount_minor for r, f in figures.rules.items() if f.discount_minor}
    assert discounts == _discounts_by_rule(container)
    assert {"tier:bronze", "tier:silver", "loyal-discount"} <= discounts.keys()
    assert figures.rewards == _rewards(container) == Counter({"free-coffee": 2})
    assert figures.cashback_points == issued["tea-cashback"]
    assert figures.end_tiers == world.tiers_held()
    assert figures.end_tiers[world.id_of("ann")] == "bronze"  # the grace ended
    assert figures.end_tiers[world.id_of("bob")] == "silver"  # re-qualified in the grace
    assert (figures.tier_upgrades, figures.tier_downgrades) == (2, 1)


def test_the_backtest_of_the_live_programme_against_itself(
    container: Container, clock: FakeClock
) -> None:
    document = apply(container, LIVE)
    world = World(container, clock)
    _history(world)
    ledger = world.ledger_by_rule()

    comparison = world.backtest(document)

    assert comparison.live_matches_ledger
    live = comparison.live
    assert live.points_issued == sum(p for (kind, _), p in ledger.items() if kind == "earn")
    assert live.points_back == sum(p for (kind, _), p in ledger.items() if kind == "return")
    assert (live.purchases, live.returns, live.events) == (
        12,
        2,
        8,
    )  # 3 welcomes, 4 reviews, 1 birthday
    assert live.liability_points == comparison.ledger.closing_points  # nothing redeemed
    for row in comparison.rows():
        assert row.live == row.candidate, row.key
    assert comparison.tier_moves == ()
    assert comparison.members_compared == 3


def test_a_period_later_than_the_history_starts_counts_only_the_period(
    container: Container, clock: FakeClock
) -> None:
    """Before the period the replay only builds the state: limits, budgets, tiers, spend."""
    document = apply(container, LIVE)
    world = World(container, clock)
    _history(world)
    start = date(2026, 3, 7)  # after the budget ran out and ann reached silver (6 March)
    since = datetime(2026, 3, 6, 23, 0, tzinfo=UTC)  # midnight in Warsaw
    ledger = world.ledger_by_rule(since)

    comparison = world.backtest(document, (start, date(2026, 12, 31)))

    live = comparison.live
    assert live.points_issued == sum(p for (kind, _), p in ledger.items() if kind == "earn")
    assert live.points_back == sum(p for (kind, _), p in ledger.items() if kind == "return")
    assert comparison.live_matches_ledger
    assert (live.purchases, live.returns, live.events) == (5, 2, 1)
    assert (live.tier_upgrades, live.tier_downgrades) == (1, 2)  # bob; ann, then bob by Dec
    assert comparison.ledger.opening_points > 0
    assert live.liability_points == comparison.ledger.closing_points


def test_two_processes_give_what_one_gives(container: Container, clock: FakeClock) -> None:
    """A long history runs the candidate in a second process, over its own snapshot."""
    document = apply(container, LIVE)
    world = World(container, clock)
    _history(world)
    doubled = document.model_copy(
        update={"earning": document.earning.model_copy(update={"points": 2})}
    )

    alone = world.backtest(doubled, processes=1)
    shared = world.backtest(doubled, processes=2)

    assert shared == alone
    assert shared.candidate.net_points > shared.live.net_points


STAMP_CARD: dict[str, Any] = {
    "name": "Coffee card",
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "earning": {"points": 0},
    "rules": [
        {
            "id": "coffee-stamps",
            "name": "Coffee card",
            "lines": 'line.category == "coffee"',
            "effect": {"type": "stamps", "card": "coffee", "goal": 9, "reward": "free-coffee"},
        }
    ],
}


def test_the_replay_takes_stamps_back_as_the_live_return_does(
    container: Container, clock: FakeClock
) -> None:
    document = apply(container, STAMP_CARD)
    world = World(container, clock)
    world.enrol("cat")
    coffees = world.buy("cat", item("ESP", 800, 9, "coffee"))  # the card completes: a free coffee
    world.later(hours=1)
    world.give_back(coffees, ESP=2)  # the card is at 0: 2 stamps owed
    world.later(hours=1)
    world.buy("cat", item("ESP", 800, 9, "coffee"))  # 2 settle the debt, the card reaches 7
    world.later(hours=1)

    figures = world.replay(document, until=clock.now())

    assert _rewards(container) == Counter({"free-coffee": 1})
    assert figures.rewards == Counter({"free-coffee": 1})  # not 2: the returned stamps were owed
