"""Paid memberships' tables, on the same metadata as ``tables.py`` (migration 0009).

``memberships`` holds each member's subscription to each plan as it stands now;
``membership_events`` is its history, append-only (triggers refuse UPDATE and
DELETE on both engines): every paid period and every status change. A payment
reference is unique: the same payment is never recorded twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base


class MembershipRow(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("periods >= 1", name="periods_positive"),
        CheckConstraint("ends_on > starts_on", name="period_not_empty"),
        Index("ix_memberships_status_benefits_until", "status", "benefits_until"),
    )

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    period: Mapped[str] = mapped_column(String(8))
    anchor_on: Mapped[date] = mapped_column(Date)
    periods: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    benefits_until: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime]
    programme_version: Mapped[int] = mapped_column(Integer)


class MembershipEventRow(Base):
    """Append-only: one paid period or status change of a subscription."""

    __tablename__ = "membership_events"

    event_no: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[str] = mapped_column(ID, unique=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    plan_id: Mapped[str] = mapped_column(String(80))
    change: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]
    effective_on: Mapped[date] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    paid_at: Mapped[datetime | None]
    payment_reference: Mapped[str | None] = mapped_column(String(128), unique=True)
    programme_version: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str | None] = mapped_column(String(128))
