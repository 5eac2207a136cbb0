"""The partners' tables, on the same metadata as ``tables.py`` (migration 0010).

Prices and rates are exact decimals stored as text: SQLite has no exact decimal
type, and a price must read back as the very number the agreement states.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base

PARTNER_ID = String(24)
DECIMAL_TEXT = String(40)


class PartnerRow(Base):
    __tablename__ = "partners"

    partner_id: Mapped[str] = mapped_column(PARTNER_ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PartnerRateRow(Base):
    """The agreement's rates, each in force from ``effective_from`` to the next."""

    __tablename__ = "partner_rates"

    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.partner_id"), primary_key=True)
    effective_from: Mapped[datetime] = mapped_column(primary_key=True)
    earn_points_per_unit: Mapped[str] = mapped_column(DECIMAL_TEXT)
    issue_price: Mapped[str] = mapped_column(DECIMAL_TEXT)
    redeem_price: Mapped[str] = mapped_column(DECIMAL_TEXT)
    recorded_at: Mapped[datetime]


class PartnerTransactionRow(Base):
    """A purchase, return, hold, commit or release made under a partner's key."""

    __tablename__ = "partner_transactions"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", name="uq_partner_transactions_source"),
        Index("ix_partner_transactions_partner", "partner_id", "recorded_at"),
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    transaction_id: Mapped[str] = mapped_column(ID, unique=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.partner_id"))
    kind: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str] = mapped_column(ID)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    store_id: Mapped[str | None] = mapped_column(String(64))
    receipt_id: Mapped[str | None] = mapped_column(String(128))
    purchase_id: Mapped[str | None] = mapped_column(ID)
    points: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
