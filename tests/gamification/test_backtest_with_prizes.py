"""The backtest replays rules, not challenges: its live-versus-ledger check leaves prizes out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from loyalo.bootstrap.container import Container
from tests.gamification.support import prize_entries
from tests.simulation.support import World, apply, item
from tests.support.clock import FakeClock

SHOP: dict[str, Any] = {
    "name": "Shop",
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "earning": {"points": 1, "per": 1},
    "challenges": [
        {
            "id": "two-visits",
            "name": "Two visits a month",
            "goal": {"type": "purchases", "count": 2},
            "period": "month",
            "reward": {"points": 100},
        }
    ],
    "streaks": {"milestones": [{"weeks": 2, "points": 7}]},
}


def test_the_live_replay_still_matches_the_ledger_with_prizes_given(
    container: Container, clock: FakeClock
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    world.enrol("ann")
    world.at(datetime(2026, 3, 2, 10, tzinfo=UTC))
    world.buy("ann", item("A", 5000))
    world.at(datetime(2026, 3, 9, 10, tzinfo=UTC))  # the next week: the second visit
    world.buy("ann", item("B", 4000))
    assert len(prize_entries(container, world.members["ann"])) == 2  # the challenge, the streak
    comparison = world.backtest(SHOP)
    assert comparison.live.points_issued == 90  # the rules' points; not the 100 + 7 of prizes
    assert comparison.ledger.closing_points == 90 + 100 + 7  # the liability holds them all
    assert comparison.live_matches_ledger
