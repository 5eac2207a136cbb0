"""Gift cards: a balance row per card, and its append-only movements.

On ``tables.Base``'s metadata, so migrations, tests and ``truncate_all`` see
them; migration 0008 creates them (and the triggers that refuse UPDATE and
DELETE on ``gift_card_movements``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base


class GiftCardRow(Base):
    """One row per card: its balance (never negative), status and last movement's seq."""

    __tablename__ = "gift_cards"
    __table_args__ = (
        CheckConstraint("balance_minor >= 0", name="balance_not_negative"),
        CheckConstraint("initial_minor > 0", name="initial_positive"),
    )

    card_id: Mapped[str] = mapped_column(ID, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(128))
    currency: Mapped[str] = mapped_column(String(3))
    initial_minor: Mapped[int] = mapped_column(BigInteger)
    balance_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    seq: Mapped[int] = mapped_column(Integer)


class GiftCardMovementRow(Base):
    """Append-only: every change of a card's balance, with the balance after it."""

    __tablename__ = "gift_card_movements"
    __table_args__ = (
        UniqueConstraint("card_id", "seq", name="uq_gift_card_movements_card_seq"),
        CheckConstraint("balance_after_minor >= 0", name="balance_after_not_negative"),
    )

    movement_id: Mapped[str] = mapped_column(ID, primary_key=True)
    card_id: Mapped[str] = mapped_column(ForeignKey("gift_cards.card_id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(64))
    purchase_id: Mapped[str | None] = mapped_column(ID, index=True)
    return_id: Mapped[str | None] = mapped_column(ID)
    reference: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str | None] = mapped_column(String(128))
    tender_position: Mapped[int | None] = mapped_column(Integer)
