"""The referral tables, on the same metadata as ``tables.py`` (migration 0012).

``referral_codes`` gives each member one code; ``referrals`` records each friend's
referral once (a friend is referred at most once); ``referral_rewards`` holds the
points each side got at each step, at most once per step and side, and whether a
full return of the qualifying purchase took them back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import ID, Base


class ReferralCodeRow(Base):
    __tablename__ = "referral_codes"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime]


class ReferralRow(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_advocate", "advocate_id", "created_at"),
        Index("ix_referrals_advocate_rewarded", "advocate_id", "rewarded_at"),
    )

    referral_id: Mapped[str] = mapped_column(ID, primary_key=True)
    friend_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), unique=True)
    advocate_id: Mapped[str | None] = mapped_column(ForeignKey("members.member_id"))
    code: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    programme_version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    rewarded_at: Mapped[datetime | None]  # the first reward: what the cap counts
    qualified_at: Mapped[datetime | None]
    purchase_id: Mapped[str | None] = mapped_column(String(36))  # the qualifying purchase


class ReferralRewardRow(Base):
    __tablename__ = "referral_rewards"
    __table_args__ = (
        UniqueConstraint("referral_id", "stage", "side", name="uq_referral_rewards_step"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    reward_id: Mapped[str] = mapped_column(ID, primary_key=True)  # the lot's source id
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.referral_id"))
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    entry_id: Mapped[str] = mapped_column(ID)
    earned_at: Mapped[datetime]
    available_at: Mapped[datetime]
    reversed_at: Mapped[datetime | None]
    reversal_entry_id: Mapped[str | None] = mapped_column(ID)
