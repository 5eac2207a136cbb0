"""A returned quantity matched to the member's earlier receipts.

History files rarely say which sale a return belongs to. The usual practice,
and ours: a returned SKU comes back from the most recent earlier receipt that
still has units of it, then the one before, and so on (of two receipts of the
same minute, the later receipt id first, so two imports of one file match
alike). What no earlier receipt holds (a sale from before the history starts)
is unmatched: kept for analytics, and no points are taken for it, since none
were given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Returnable:
    """Units of one SKU on one earlier receipt that are not returned yet."""

    purchase_id: str
    occurred_at: datetime
    quantity_left: int
    receipt_id: str = ""  # breaks ties between receipts of the same moment, as the file had them


@dataclass(frozen=True, slots=True)
class ReturnMatch:
    taken: tuple[tuple[str, int], ...]  # (purchase id, quantity), most recent first
    unmatched: int


def match_return(quantity: int, candidates: Sequence[Returnable]) -> ReturnMatch:
    if quantity <= 0:
        raise ValueError("a returned quantity is positive")
    left = quantity
    taken: list[tuple[str, int]] = []
    latest_first = sorted(
        candidates, key=lambda c: (c.occurred_at, c.receipt_id, c.purchase_id), reverse=True
    )
    for candidate in latest_first:
        if left == 0:
            break
        take = min(left, candidate.quantity_left)
        if take > 0:
            taken.append((candidate.purchase_id, take))
            left -= take
    return ReturnMatch(tuple(taken), left)
