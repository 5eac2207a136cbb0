"""A recorded purchase and its returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class LinePoints:
    """Points one rule gave one line: what a return of that line takes back."""

    line_index: int
    rule_id: str
    points: int


@dataclass(frozen=True, slots=True)
class LineStamps:
    """Stamps one rule put on a card for one line: what a return of that line takes back."""

    line_index: int
    rule_id: str
    card: str
    stamps: int


@dataclass(frozen=True, slots=True)
class AppliedDiscount:
    rule_id: str
    source: str  # tier, promotion, progressive
    amount_minor: int
    description: str


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
    entry_id: str | None  # the first ledger entry that credited its points
    programme_version: int | None = None
    discount_minor: int = 0  # the programme's discounts, applied at the till
    discounts: tuple[AppliedDiscount, ...] = ()
    line_points: tuple[LinePoints, ...] = ()
    line_stamps: tuple[LineStamps, ...] = ()

    @property
    def paid_minor(self) -> int:
        return self.total_minor - self.discount_minor


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
