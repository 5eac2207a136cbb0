"""A returned quantity matched to the member's earlier receipts.

History files rarely say which sale a return belongs to. The usual practice,
and ours: a returned SKU comes back from the most recent earlier receipt that
still has units of it, then the one before, and so on. What no earlier receipt
holds (a sale from before the history starts) is unmatched: kept for
analytics, and no points are taken for it, since none were given.
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


@dataclass(frozen=True, slots=True)
class ReturnMatch:
    taken: tuple[tuple[str, int], ...]  # (purchase id, quantity), most recent first
    unmatched: int


def match_return(quantity: int, candidates: Sequence[Returnable]) -> ReturnMatch:
    if quantity <= 0:
        raise ValueError("a returned quantity is positive")
    left = quantity
    taken: list[tuple[str, int]] = []
    for candidate in sorted(candidates, key=lambda c: (c.occurred_at, c.purchase_id), reverse=True):
        if left == 0:
            break
        take = min(left, candidate.quantity_left)
        if take > 0:
            taken.append((candidate.purchase_id, take))
            left -= take
    return ReturnMatch(tuple(taken), left)
