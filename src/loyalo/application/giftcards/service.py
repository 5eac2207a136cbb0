"""Issue, load, void and look up gift cards; the till's tender path is in ``tender.py``.

A card is sold at a till or issued by an admin in the programme's currency. Every
change of its balance is one movement, written under the card's row lock in the
same transaction as whatever caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from loyalo.application.context import AppContext, new_id
from loyalo.application.giftcards import tender
from loyalo.application.giftcards.tender import (
    GiftCardTender,
    TenderedPurchase,
    TenderedQuote,
    TenderedReturn,
)
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import PurchaseCommand, PurchaseService, ReturnCommand
from loyalo.domain.errors import GiftCardNotFound
from loyalo.domain.giftcards import movements
from loyalo.domain.giftcards.card import GiftCard, hash_pin, new_code, normalise_code
from loyalo.domain.giftcards.movements import Movement, MovementSource


@dataclass(frozen=True, slots=True)
class IssueCommand:
    amount_minor: int
    pin: str | None = None
    valid_until: datetime | None = None
    source: MovementSource = field(default_factory=MovementSource)


@dataclass(frozen=True, slots=True)
class CardStatement:
    card: GiftCard
    movements: tuple[Movement, ...]


class GiftCardService:
    def __init__(self, ctx: AppContext, purchases: PurchaseService) -> None:
        self._ctx = ctx
        self._purchases = purchases

    def issue(self, uow: UnitOfWork, command: IssueCommand) -> GiftCard:
        """A new card in the programme's currency, holding ``amount_minor``."""
        currency = self._ctx.terms_in(uow).currency
        now = self._ctx.clock.now()
        card_id = new_id()
        pin_hash = hash_pin(command.pin, card_id) if command.pin is not None else None
        moved = movements.issue(
            card_id,
            new_code(),
            currency,
            command.amount_minor,
            now,
            command.valid_until,
            pin_hash,
            command.source,
        )
        uow.gift_cards.add(moved.card, moved.movement, now)
        return moved.card

    def statement(self, uow: UnitOfWork, code: str, pin: str | None = None) -> CardStatement:
        """The card and every movement of it; ``pin`` is checked when not None."""
        card = _found(uow.gift_cards.get(normalise_code(code)), code)
        if pin is not None:
            card.check_pin(pin)
        return CardStatement(card, tuple(uow.gift_cards.movements(card.card_id)))

    def require_pin(self, uow: UnitOfWork, code: str, pin: str | None) -> None:
        _found(uow.gift_cards.get(normalise_code(code)), code).check_pin(pin)

    def load(
        self, uow: UnitOfWork, code: str, amount_minor: int, source: MovementSource
    ) -> GiftCard:
        now = self._ctx.clock.now()
        card = _found(uow.gift_cards.lock(normalise_code(code)), code)
        moved = movements.load(card, amount_minor, now, source)
        uow.gift_cards.append(card, moved.card, moved.movement, now)
        return moved.card

    def void(self, uow: UnitOfWork, code: str, source: MovementSource) -> GiftCard:
        now = self._ctx.clock.now()
        card = _found(uow.gift_cards.lock(normalise_code(code)), code)
        moved = movements.void(card, now, source)
        uow.gift_cards.append(card, moved.card, moved.movement, now)
        return moved.card

    def quote(
        self, uow: UnitOfWork, command: PurchaseCommand, tenders: tuple[GiftCardTender, ...]
    ) -> TenderedQuote:
        return tender.quote(self._ctx, uow, self._purchases, command, tenders)

    def record_purchase(
        self, uow: UnitOfWork, command: PurchaseCommand, tenders: tuple[GiftCardTender, ...]
    ) -> TenderedPurchase:
        return tender.record(self._ctx, uow, self._purchases, command, tenders)

    def record_return(self, uow: UnitOfWork, command: ReturnCommand) -> TenderedReturn:
        return tender.record_return(self._ctx, uow, self._purchases, command)


def _found(card: GiftCard | None, code: str) -> GiftCard:
    if card is None:
        raise GiftCardNotFound(f"no gift card {code}")
    return card
