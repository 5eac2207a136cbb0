"""The RFM score rule and the segment grid, as exact tables."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.report.rfm import SEGMENT_GRID, Segment, fm_score, quintile_score, segment_of


@pytest.mark.parametrize(
    ("rank", "count", "score"),
    [
        (1, 1, 1),
        (1, 5, 1),
        (2, 5, 2),
        (5, 5, 5),
        (1, 10, 1),
        (2, 10, 1),
        (3, 10, 2),
        (9, 10, 5),
        (10, 10, 5),
        (4, 7, 3),  # 5 * 3 // 7 = 2
        (7, 7, 5),
        (2, 3, 2),  # 5 * 1 // 3 = 1
        (3, 3, 4),  # the top of three members starts below the top fifth
    ],
)
def test_quintile_score_of_a_rank(rank: int, count: int, score: int) -> None:
    assert quintile_score(rank, count) == score


@pytest.mark.parametrize(("rank", "count"), [(0, 5), (6, 5), (1, 0)])
def test_a_rank_outside_the_members_is_refused(rank: int, count: int) -> None:
    with pytest.raises(ValueError, match="not within"):
        quintile_score(rank, count)


@pytest.mark.parametrize(
    ("f", "m", "fm"), [(1, 1, 1), (1, 2, 1), (2, 3, 2), (4, 5, 4), (5, 5, 5), (1, 5, 3)]
)
def test_fm_is_the_mean_rounded_down(f: int, m: int, fm: int) -> None:
    assert fm_score(f, m) == fm


@pytest.mark.parametrize(
    ("r", "f", "m", "segment"),
    [
        (5, 5, 5, Segment.CHAMPIONS),
        (4, 5, 5, Segment.CHAMPIONS),
        (5, 4, 4, Segment.CHAMPIONS),
        (4, 4, 4, Segment.LOYAL),
        (3, 5, 5, Segment.LOYAL),
        (3, 4, 5, Segment.LOYAL),
        (5, 3, 3, Segment.POTENTIAL_LOYALISTS),
        (4, 2, 2, Segment.POTENTIAL_LOYALISTS),
        (5, 1, 1, Segment.NEW),
        (5, 1, 2, Segment.NEW),
        (4, 1, 1, Segment.PROMISING),
        (3, 3, 3, Segment.NEED_ATTENTION),
        (3, 2, 2, Segment.ABOUT_TO_SLEEP),
        (3, 1, 1, Segment.ABOUT_TO_SLEEP),
        (2, 5, 5, Segment.AT_RISK),
        (2, 3, 3, Segment.AT_RISK),
        (1, 3, 4, Segment.AT_RISK),
        (1, 5, 5, Segment.CANNOT_LOSE_THEM),
        (1, 4, 4, Segment.CANNOT_LOSE_THEM),
        (2, 2, 2, Segment.HIBERNATING),
        (2, 1, 1, Segment.HIBERNATING),
        (1, 2, 2, Segment.LOST),
        (1, 1, 1, Segment.LOST),
    ],
)
def test_segment_of_the_scores(r: int, f: int, m: int, segment: Segment) -> None:
    assert segment_of(r, f, m) is segment


def test_the_grid_names_every_cell_once_with_every_segment() -> None:
    cells = {(r, fm) for r in range(1, 6) for fm in range(1, 6)}
    assert set(SEGMENT_GRID) == cells
    assert set(SEGMENT_GRID.values()) == set(Segment)


@given(st.lists(st.integers(min_value=0, max_value=20), min_size=1, max_size=60))
def test_scores_keep_ties_together_and_follow_the_values(values: list[int]) -> None:
    ordered = sorted(values)
    scores = {v: quintile_score(ordered.index(v) + 1, len(values)) for v in values}
    for low, high in itertools.pairwise(ordered):
        assert scores[low] <= scores[high]
    assert scores[ordered[0]] == 1
    assert all(1 <= s <= 5 for s in scores.values())
    # The best group gets 5 exactly when it starts inside the top fifth.
    best_rank = ordered.index(ordered[-1]) + 1
    assert (scores[ordered[-1]] == 5) == (best_rank - 1 >= 0.8 * len(values))
