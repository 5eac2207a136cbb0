"""The replay's own state, pure: the activity window and tier qualification over time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.simulation.activity import Activity
from loyalo.domain.programme.simulation.tiers import TierRules
from loyalo.domain.tiers.qualification import TierState, window_start


def test_activity_sums_from_a_day_and_forgets_what_no_window_reads() -> None:
    activity = Activity()
    for day, spend, points in [(1, 100, 10), (1, 50, 5), (3, 200, 20), (7, -40, -4)]:
        activity.add(date(2026, 3, day), spend, points)

    assert activity.since(None) == (310, 31)
    assert activity.since(date(2026, 3, 2)) == (160, 16)
    assert activity.since(date(2026, 3, 8)) == (0, 0)
    activity.forget_before(date(2026, 3, 3))
    assert activity.since(None) == (160, 16)
    assert activity.since(date(2026, 3, 3)) == (160, 16)
    assert activity.spent_minor == 310  # money spent ever is never forgotten


def test_a_day_out_of_order_is_kept_in_order() -> None:
    activity = Activity()
    activity.add(date(2026, 3, 5), 10, 1)
    activity.add(date(2026, 3, 4), 20, 2)  # another programme's zone: the day before
    activity.add(date(2026, 3, 5), 30, 3)
    assert activity.since(date(2026, 3, 5)) == (40, 4)
    assert activity.since(date(2026, 3, 4)) == (60, 6)


def _rules(window: str, months: int = 12, metric: str = "points_earned") -> TierRules:
    document = ProgrammeDocument.model_validate(
        {
            "timezone": "Europe/Warsaw",
            "tiers": {
                "metric": metric,
                "window": window,
                "months": months,
                "grace_days": 10,
                "levels": [
                    {"id": "bronze", "name": "Bronze", "threshold": 0},
                    {"id": "silver", "name": "Silver", "threshold": 100},
                ],
            },
        }
    )
    rules = TierRules.of(document)
    assert rules is not None
    return rules


@pytest.mark.parametrize(
    ("window", "months", "at"),
    [
        ("rolling", 12, datetime(2026, 3, 31, 22, 30, tzinfo=UTC)),  # 1 April in Warsaw
        ("rolling", 1, datetime(2026, 3, 31, 10, 0, tzinfo=UTC)),  # 28 February: clamped
        ("rolling", 3, datetime(2024, 5, 31, 10, 0, tzinfo=UTC)),  # 29 February, leap year
        ("calendar_year", 12, datetime(2026, 12, 31, 23, 30, tzinfo=UTC)),  # 2027 in Warsaw
        ("lifetime", 12, datetime(2026, 6, 1, tzinfo=UTC)),
    ],
)
def test_the_window_starts_where_the_live_path_starts_it(
    window: str, months: int, at: datetime
) -> None:
    rules = _rules(window, months)
    live = window_start(rules.policy, at, rules.zone)
    assert rules.window_day(rules.local_day(at)) == (live.date() if live else None)


def test_upgrade_at_once_then_grace_then_downgrade() -> None:
    rules = _rules("rolling", months=1)
    activity = Activity()
    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    activity.add(date(2026, 3, 2), 0, 60)
    start = rules.after_activity(None, activity, at, date(2026, 3, 2))
    assert (start.state and start.state.tier_id, start.reason) == ("bronze", "initial")

    later = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
    activity.add(date(2026, 3, 4), 0, 50)
    up = rules.after_activity(start.state, activity, later, date(2026, 3, 4))
    # a month later on the wall clock: 11:00 in Warsaw, in summer time now
    due = datetime(2026, 4, 4, 9, 0, tzinfo=UTC)
    assert up.state == TierState("silver", later, due)
    assert up.reason == "upgrade"

    review = rules.review(up.state, activity, due)
    grace = datetime(2026, 4, 14, 9, 0, tzinfo=UTC)
    assert review.state == TierState("silver", later, grace, grace)  # 50 in the window
    assert review.reason is None
    lowered = rules.review(review.state, activity, grace)
    assert lowered.state is not None
    assert (lowered.state.tier_id, lowered.reason) == ("bronze", "downgrade")


def test_with_money_the_purchase_itself_counts_towards_its_tier() -> None:
    rules = _rules("lifetime", metric="money_spent")
    activity = Activity()
    activity.add(date(2026, 3, 1), 8_000, 0)
    day = date(2026, 3, 2)
    assert rules.for_purchase(None, activity, day, 1_999).id == "bronze"
    assert rules.for_purchase(None, activity, day, 2_000).id == "silver"  # 100.00 reached
    assert rules.thresholds == (0, 10_000)
    assert rules.policy.levels[1].threshold == Decimal(100)


def test_a_tier_another_programme_had_ranks_as_the_first() -> None:
    rules = _rules("lifetime")
    state = TierState("platinum", datetime(2026, 1, 1, tzinfo=UTC), None)
    assert rules.held(state).id == "bronze"
