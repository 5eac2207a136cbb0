"""RFM: recency, frequency and monetary value scored 1 to 5, and the segment they name.

Scores are quintiles of the members' rank, with ties kept together: a member's
score is ``1 + floor(5 * (rank - 1) / n)`` where ``rank`` is the 1-based rank of
the member's value among the ``n`` members scored (``RANK()``: equal values share
the lowest rank of their group), ordered from worst to best. So equal values
always get the same score, the best group gets 5 only if it starts in the top
fifth, and the same rule is one portable window expression in SQL.

The segment is read from the grid of the R score and the FM score — the mean of
F and M, rounded down — a partition of the 25 cells into the eleven named
segments of the widely published R-by-FM map (docs/METRICS.md, "RFM").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Final

SCORES: Final = 5


class Segment(StrEnum):
    CHAMPIONS = "champions"
    LOYAL = "loyal"
    POTENTIAL_LOYALISTS = "potential_loyalists"
    NEW = "new"
    PROMISING = "promising"
    NEED_ATTENTION = "need_attention"
    ABOUT_TO_SLEEP = "about_to_sleep"
    AT_RISK = "at_risk"
    CANNOT_LOSE_THEM = "cannot_lose_them"
    HIBERNATING = "hibernating"
    LOST = "lost"


def _grid() -> dict[tuple[int, int], Segment]:
    s = Segment
    # One row per FM score, from 5 down to 1; columns are R = 1 … 5.
    rows = {
        5: (s.CANNOT_LOSE_THEM, s.AT_RISK, s.LOYAL, s.CHAMPIONS, s.CHAMPIONS),
        4: (s.CANNOT_LOSE_THEM, s.AT_RISK, s.LOYAL, s.LOYAL, s.CHAMPIONS),
        3: (s.AT_RISK, s.AT_RISK, s.NEED_ATTENTION, s.POTENTIAL_LOYALISTS, s.POTENTIAL_LOYALISTS),
        2: (s.LOST, s.HIBERNATING, s.ABOUT_TO_SLEEP, s.POTENTIAL_LOYALISTS, s.POTENTIAL_LOYALISTS),
        1: (s.LOST, s.HIBERNATING, s.ABOUT_TO_SLEEP, s.PROMISING, s.NEW),
    }
    return {(r, fm): row[r - 1] for fm, row in rows.items() for r in range(1, SCORES + 1)}


# (R score, FM score) → segment; every one of the 25 cells is named exactly once.
SEGMENT_GRID: Final = MappingProxyType(_grid())


def quintile_score(rank: int, count: int) -> int:
    """The score of the one ranked ``rank`` of ``count`` (1 = worst; ties share their lowest)."""
    if not 1 <= rank <= count:
        raise ValueError(f"rank {rank} is not within 1..{count}")
    return 1 + (SCORES * (rank - 1)) // count


def fm_score(frequency_score: int, monetary_score: int) -> int:
    """The mean of the F and M scores, rounded down."""
    return (frequency_score + monetary_score) // 2


def segment_of(recency_score: int, frequency_score: int, monetary_score: int) -> Segment:
    return SEGMENT_GRID[(recency_score, fm_score(frequency_score, monetary_score))]


@dataclass(frozen=True, slots=True)
class MemberRfm:
    """One member's RFM over a window: the raw values and their scores."""

    member_id: str
    last_purchase: date
    frequency: int  # purchases in the window
    monetary_minor: int  # what those purchases came to
    recency_score: int
    frequency_score: int
    monetary_score: int

    def recency_days(self, as_of: date) -> int:
        return (as_of - self.last_purchase).days

    @property
    def segment(self) -> Segment:
        return segment_of(self.recency_score, self.frequency_score, self.monetary_score)


def segment_totals(members: Iterable[MemberRfm]) -> list[tuple[Segment, int, int]]:
    """Every segment in the grid's order: its members and what they paid (zeros if empty)."""
    counts: Counter[Segment] = Counter()
    paid: Counter[Segment] = Counter()
    for member in members:
        counts[member.segment] += 1
        paid[member.segment] += member.monetary_minor
    return [(segment, counts[segment], paid[segment]) for segment in Segment]
