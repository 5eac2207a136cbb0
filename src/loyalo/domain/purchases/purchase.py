"""A recorded purchase and its returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class Purchase:
    purchase_id: str
    member_id: str
    store_id: str
    receipt_id: str
    channel: str
    occurred_at: datetime
    currency: str
    total_minor: int
    lines: tuple[Line, ...]
    points_earned: int
    fingerprint: str  # hash of the receipt's content, to tell a resend from a conflict
    entry_id: str | None  # the ledger entry that credited its points


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    return_id: str
    purchase_id: str
    occurred_at: datetime
    value_minor: int
    points_taken: int
    debt_points: int
    line_quantities: dict[int, int]
    entry_id: str | None
