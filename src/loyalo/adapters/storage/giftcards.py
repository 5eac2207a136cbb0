"""Gift cards in SQL: a balance row per card, append-only movements.

Write-path statements are built once and run as Core statements on the
transaction's connection. A card is locked (``SELECT … FOR UPDATE``; SQLite
serialises writers with ``BEGIN IMMEDIATE``) before it moves, and the balance
row's update is conditional on the seq it was read at, so two writers can never
both spend one balance; the CHECK constraints refuse a negative one regardless.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables_giftcards import GiftCardMovementRow, GiftCardRow
from loyalo.application.context import new_id
from loyalo.application.giftcards.ports import PurchaseTender
from loyalo.domain.giftcards.card import GiftCard, GiftCardStatus
from loyalo.domain.giftcards.movements import Movement, MovementKind, MovementSource

_CARDS = cast(Table, GiftCardRow.__table__)
_MOVEMENTS = cast(Table, GiftCardMovementRow.__table__)

_CARD_COLUMNS = (
    _CARDS.c.card_id,
    _CARDS.c.code,
    _CARDS.c.currency,
    _CARDS.c.initial_minor,
    _CARDS.c.balance_minor,
    _CARDS.c.status,
    _CARDS.c.issued_at,
    _CARDS.c.valid_until,
    _CARDS.c.pin_hash,
    _CARDS.c.seq,
)
_GET = select(*_CARD_COLUMNS).where(_CARDS.c.code == bindparam("card_code"))
_LOCK = _GET.with_for_update()
_INSERT_CARD = insert(_CARDS)
_INSERT_MOVEMENT = insert(_MOVEMENTS)
# The SET columns come from the parameters; the WHERE names must not be column names.
_ADVANCE = (
    update(_CARDS)
    .where(_CARDS.c.card_id == bindparam("card_card_id"))
    .where(_CARDS.c.seq == bindparam("card_seq"))
)
_MOVEMENTS_OF = (
    select(_MOVEMENTS)
    .where(_MOVEMENTS.c.card_id == bindparam("movements_card_id"))
    .order_by(_MOVEMENTS.c.seq)
)
_SIGNED = _MOVEMENTS.c.amount_minor
_TENDERS = (
    select(
        _MOVEMENTS.c.card_id,
        _CARDS.c.code,
        func.sum(case((_MOVEMENTS.c.kind == MovementKind.REDEEM.value, -_SIGNED), else_=0)),
        func.sum(case((_MOVEMENTS.c.kind == MovementKind.REFUND.value, _SIGNED), else_=0)),
        func.min(_MOVEMENTS.c.tender_position),
    )
    .join(_CARDS, _CARDS.c.card_id == _MOVEMENTS.c.card_id)
    .where(_MOVEMENTS.c.purchase_id == bindparam("tenders_purchase_id"))
    .group_by(_MOVEMENTS.c.card_id, _CARDS.c.code)
)
_CODES_AFTER = (
    select(_CARDS.c.code)
    .where(_CARDS.c.code > bindparam("codes_after"))
    .order_by(_CARDS.c.code)
    .limit(500)
)


class GiftCardForked(RuntimeError):
    """Two writers moved one card from the same seq: the lock was not held. A bug."""


class SqlGiftCardRepository(SqlRepository):
    def add(self, card: GiftCard, first: Movement, at: datetime) -> None:
        self._db.execute(
            _INSERT_CARD,
            {
                "card_id": card.card_id,
                "code": card.code,
                "pin_hash": card.pin_hash,
                "currency": card.currency,
                "initial_minor": card.initial_minor,
                "balance_minor": card.balance_minor,
                "status": card.status.value,
                "issued_at": card.issued_at,
                "valid_until": card.valid_until,
                "seq": card.seq,
            },
        )
        self._insert_movement(first, at)

    def get(self, code: str) -> GiftCard | None:
        row = self._db.execute(_GET, {"card_code": code}).first()
        return _card(row) if row else None

    def lock(self, code: str) -> GiftCard | None:
        row = self._db.execute(_LOCK, {"card_code": code}).first()
        return _card(row) if row else None

    def append(self, before: GiftCard, after: GiftCard, movement: Movement, at: datetime) -> None:
        self._insert_movement(movement, at)
        result = self._db.execute(
            _ADVANCE,
            {
                "card_card_id": before.card_id,
                "card_seq": before.seq,
                "balance_minor": after.balance_minor,
                "status": after.status.value,
                "seq": after.seq,
            },
        )
        if result.rowcount != 1:
            raise GiftCardForked(f"gift card {before.card_id} moved past seq {before.seq}")

    def movements(self, card_id: str) -> list[Movement]:
        rows = self._db.execute(_MOVEMENTS_OF, {"movements_card_id": card_id})
        return [_movement(row) for row in rows]

    def tenders(self, purchase_id: str) -> list[PurchaseTender]:
        """In the order the cards paid, as the sale listed them."""
        rows = self._db.execute(_TENDERS, {"tenders_purchase_id": purchase_id}).all()
        ordered = sorted(rows, key=lambda r: (r[4] if r[4] is not None else -1, r[1]))
        return [PurchaseTender(r[0], r[1], int(r[2]), int(r[3])) for r in ordered]

    def codes(self) -> Iterator[str]:
        after = ""
        while True:
            batch = list(self._db.execute(_CODES_AFTER, {"codes_after": after}).scalars())
            yield from batch
            if len(batch) < 500:
                return
            after = batch[-1]

    def _insert_movement(self, movement: Movement, at: datetime) -> None:
        source = movement.source
        self._db.execute(
            _INSERT_MOVEMENT,
            {
                "movement_id": new_id(),
                "card_id": movement.card_id,
                "seq": movement.seq,
                "kind": movement.kind.value,
                "amount_minor": movement.amount_minor,
                "balance_after_minor": movement.balance_after_minor,
                "occurred_at": movement.occurred_at,
                "recorded_at": at,
                "channel": source.channel,
                "store_id": source.store_id,
                "purchase_id": source.purchase_id,
                "return_id": source.return_id,
                "reference": source.reference,
                "actor": source.actor,
                "tender_position": source.tender_position,
            },
        )


def _card(row: Any) -> GiftCard:
    return GiftCard(
        card_id=row.card_id,
        code=row.code,
        currency=row.currency,
        initial_minor=int(row.initial_minor),
        balance_minor=int(row.balance_minor),
        status=GiftCardStatus(row.status),
        issued_at=row.issued_at,
        valid_until=row.valid_until,
        pin_hash=row.pin_hash,
        seq=int(row.seq),
    )


def _movement(row: Any) -> Movement:
    return Movement(
        card_id=row.card_id,
        seq=int(row.seq),
        kind=MovementKind(row.kind),
        amount_minor=int(row.amount_minor),
        balance_after_minor=int(row.balance_after_minor),
        occurred_at=row.occurred_at,
        source=MovementSource(
            channel=row.channel,
            store_id=row.store_id,
            purchase_id=row.purchase_id,
            return_id=row.return_id,
            reference=row.reference,
            actor=row.actor,
            tender_position=row.tender_position,
        ),
    )
