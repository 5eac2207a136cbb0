"""The rewards catalogue's tables, on the same metadata as ``tables.py`` (migration 0014).

Stock and limit counters are rows updated conditionally (``taken < stock``,
``times < limit``), so the store itself refuses to oversell; CHECK constraints
refuse a counter below zero.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base
from loyalo.adapters.storage.types import JsonDocument


class RewardStockRow(Base):
    """Units of a reward's stock taken so far (the stock itself is in the programme)."""

    __tablename__ = "reward_stock"
    __table_args__ = (CheckConstraint("taken >= 0", name="taken_not_negative"),)

    reward_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    taken: Mapped[int] = mapped_column(Integer)


class RewardCounterRow(Base):
    """Redemptions of a reward in one limit period, by one member or by all (``*``)."""

    __tablename__ = "reward_counters"
    __table_args__ = (CheckConstraint("times >= 0", name="times_not_negative"),)

    reward_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    scope: Mapped[str] = mapped_column(String(36), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32), primary_key=True)
    times: Mapped[int] = mapped_column(Integer)


class RedemptionRow(Base):
    __tablename__ = "redemptions"
    __table_args__ = (
        Index("ix_redemptions_member_created", "member_id", "created_at"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )

    redemption_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    reward_id: Mapped[str] = mapped_column(String(80))
    points: Mapped[int] = mapped_column(BigInteger)
    benefit: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    delivery: Mapped[str] = mapped_column(String(16))
    programme_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    entry_id: Mapped[str | None] = mapped_column(ID)
    member_bucket: Mapped[str | None] = mapped_column(String(32))
    total_bucket: Mapped[str | None] = mapped_column(String(32))
    took_stock: Mapped[bool] = mapped_column(Boolean)
    coupon_id: Mapped[str | None] = mapped_column(String(64))
    coupon_code: Mapped[str | None] = mapped_column(String(64))
    coupon_valid_until: Mapped[datetime | None]
    donation_id: Mapped[str | None] = mapped_column(ID)
    wallet_entry_id: Mapped[str | None] = mapped_column(ID)
    cancelled_at: Mapped[datetime | None]
    cancel_entry_id: Mapped[str | None] = mapped_column(ID)


class DonationRow(Base):
    """A member's donation receipt; a cause's total is the sum of its rows."""

    __tablename__ = "donations"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    donation_id: Mapped[str] = mapped_column(ID, primary_key=True)
    redemption_id: Mapped[str] = mapped_column(ForeignKey("redemptions.redemption_id"), unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    cause: Mapped[str] = mapped_column(String(80), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    points: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
