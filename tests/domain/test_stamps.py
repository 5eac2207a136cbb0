"""Stamp cards: what goes on a card, what a return takes back, what is owed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.stamps import StampCard, add_stamps, take_back_stamps

GOAL = 9


def worth(card: StampCard, goal: int) -> int:
    """Every stamp ever kept: on completed cards, on this one, less what is owed."""
    return card.completed * goal + card.stamps - card.owed


@pytest.mark.parametrize(
    ("card", "stamps", "after", "settled", "completed"),
    [
        (StampCard(), 3, StampCard(3), 0, 0),
        (StampCard(2), 7, StampCard(0, 0, 1), 0, 1),
        (StampCard(8), 11, StampCard(1, 0, 2), 0, 2),
        (StampCard(0, 2, 1), 3, StampCard(1, 0, 1), 2, 0),
        (StampCard(0, 5, 1), 3, StampCard(0, 2, 1), 3, 0),
        (StampCard(0, 1, 1), 10, StampCard(0, 0, 2), 1, 1),
    ],
)
def test_stamps_settle_what_is_owed_then_fill_the_card(
    card: StampCard, stamps: int, after: StampCard, settled: int, completed: int
) -> None:
    stamped = add_stamps(card, stamps, GOAL)
    assert (stamped.card, stamped.settled, stamped.completed) == (after, settled, completed)


@pytest.mark.parametrize(
    ("card", "stamps", "after", "from_card", "owed"),
    [
        (StampCard(3), 1, StampCard(2), 1, 0),
        (StampCard(3), 3, StampCard(0), 3, 0),
        (StampCard(0, 0, 1), 2, StampCard(0, 2, 1), 0, 2),
        (StampCard(2, 0, 1), 3, StampCard(0, 1, 1), 2, 1),
        (StampCard(0, 2, 1), 7, StampCard(0, 9, 1), 0, 7),
    ],
)
def test_a_return_takes_what_the_card_holds_and_the_rest_is_owed(
    card: StampCard, stamps: int, after: StampCard, from_card: int, owed: int
) -> None:
    taken = take_back_stamps(card, stamps)
    assert (taken.card, taken.from_card, taken.owed) == (after, from_card, owed)


operations = st.lists(st.tuples(st.booleans(), st.integers(0, 40)), max_size=30)


@given(operations, st.integers(1, 12))
def test_a_card_never_goes_negative_and_counts_every_stamp(
    steps: list[tuple[bool, int]], goal: int
) -> None:
    card, expected = StampCard(), 0
    for adding, stamps in steps:
        if adding:
            stamped = add_stamps(card, stamps, goal)
            assert stamped.completed == stamped.card.completed - card.completed
            card, expected = stamped.card, expected + stamps
        else:
            card, expected = take_back_stamps(card, stamps).card, expected - stamps
        assert 0 <= card.stamps < goal
        assert card.owed >= 0
        assert card.stamps == 0 or card.owed == 0  # a card that owes holds nothing
        assert worth(card, goal) == expected
