"""What the CLV service reads: each member's purchases, net of returns."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PurchaseValue:
    """One purchase: what the member paid, less the share of it returned since."""

    member_id: str
    occurred_at: datetime
    amount_minor: int


class ClvPurchaseSource(Protocol):
    def purchase_values(self) -> Iterator[PurchaseValue]:
        """Every purchase still worth something (fully returned ones are left out)."""
        ...
