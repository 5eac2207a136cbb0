"""Returned units matched to the member's earlier receipts, most recent first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.history.matching import Returnable, match_return

DAY = datetime(2011, 3, 1, tzinfo=UTC)


def _held(*quantities: int) -> list[Returnable]:
    """Receipts p1, p2, … a day apart, p1 the oldest."""
    return [
        Returnable(f"p{n}", DAY + timedelta(days=n), quantity)
        for n, quantity in enumerate(quantities, start=1)
    ]


@pytest.mark.parametrize(
    ("quantity", "held", "taken", "unmatched"),
    [
        (2, (5,), (("p1", 2),), 0),
        (2, (5, 3), (("p2", 2),), 0),  # the most recent receipt first
        (4, (5, 3), (("p2", 3), ("p1", 1)), 0),
        (12, (5, 3), (("p2", 3), ("p1", 5)), 4),  # the rest was bought before the history
        (3, (), (), 3),
        (3, (0, 2), (("p2", 2),), 1),
    ],
)
def test_matching(
    quantity: int,
    held: tuple[int, ...],
    taken: tuple[tuple[str, int], ...],
    unmatched: int,
) -> None:
    match = match_return(quantity, _held(*held))
    assert (match.taken, match.unmatched) == (taken, unmatched)


def test_a_return_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        match_return(0, _held(1))


@given(
    st.integers(min_value=1, max_value=100),
    st.lists(st.integers(min_value=0, max_value=20), max_size=8),
)
def test_nothing_is_lost_or_invented(quantity: int, held: list[int]) -> None:
    candidates = _held(*held)
    match = match_return(quantity, candidates)
    assert sum(q for _, q in match.taken) + match.unmatched == quantity
    left = {c.purchase_id: c.quantity_left for c in candidates}
    assert all(0 < q <= left[pid] for pid, q in match.taken)
    assert match.unmatched == max(0, quantity - sum(held))


def test_receipts_of_the_same_moment_go_by_receipt_id_not_by_chance() -> None:
    same = [
        Returnable("f-uuid", DAY, 2, receipt_id="536366"),
        Returnable("a-uuid", DAY, 2, receipt_id="536367"),
    ]
    for order in (same, same[::-1]):
        assert match_return(3, order).taken == (("a-uuid", 2), ("f-uuid", 1))
