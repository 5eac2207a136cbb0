"""What gift cards need from storage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from loyalo.domain.giftcards.card import GiftCard
from loyalo.domain.giftcards.movements import Movement


@dataclass(frozen=True, slots=True)
class PurchaseTender:
    """What one card paid for one purchase, and what returns gave back to it so far."""

    card_id: str
    code: str
    paid_minor: int
    refunded_minor: int


class GiftCardRepository(Protocol):
    """Cards and their append-only movements. ``lock`` before any movement of a card."""

    def add(self, card: GiftCard, first: Movement, at: datetime) -> None: ...
    def get(self, code: str) -> GiftCard | None: ...
    def lock(self, code: str) -> GiftCard | None: ...
    def append(self, before: GiftCard, after: GiftCard, movement: Movement, at: datetime) -> None:
        """Record ``movement`` and move the card from ``before`` (its seq guards a fork)."""
        ...

    def movements(self, card_id: str) -> list[Movement]: ...
    def tenders(self, purchase_id: str) -> list[PurchaseTender]: ...
    def codes(self) -> Iterator[str]: ...  # every card, in a stable order
