"""The gamification tables (migration 0011), on the same metadata as tables.py.

Progress is one row per member, challenge and window, under a primary key, and
is only ever written under the member's ledger lock; the conditional update of
``progress`` (and ``completed_at``) is the second guard that a challenge
completes, and rewards, once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.tables import Base
from loyalo.adapters.storage.types import JsonDocument


class ChallengeProgressRow(Base):
    __tablename__ = "challenge_progress"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= target", name="progress_in_range"),
        Index("ix_challenge_progress_board", "challenge_id", "window_key"),
    )

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    progress: Mapped[int] = mapped_column(BigInteger)
    target: Mapped[int] = mapped_column(BigInteger)
    opens: Mapped[datetime | None]
    closes: Mapped[datetime | None]
    reached_at: Mapped[datetime | None]  # when progress last moved: ties go to the earliest
    completed_at: Mapped[datetime | None]
    programme_version: Mapped[int] = mapped_column(Integer)


class ChallengeCountedRow(Base):
    """What counted once in a window: a distinct event value, a new category."""

    __tablename__ = "challenge_counted"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)


class ChallengeContributionRow(Base):
    """What one purchase added to a window's progress: a full return takes it back."""

    __tablename__ = "challenge_contributions"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    challenge_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    window_key: Mapped[str] = mapped_column(String(16), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    items: Mapped[list[str]] = mapped_column(JsonDocument)  # what it counted once


class MemberBadgeRow(Base):
    __tablename__ = "member_badges"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    badge_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    awarded_at: Mapped[datetime]
    source_type: Mapped[str] = mapped_column(String(32))  # challenge, streak
    source_id: Mapped[str] = mapped_column(String(128))


class StreakWeekRow(Base):
    __tablename__ = "streak_weeks"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)  # the Monday


class StreakMilestoneRow(Base):
    __tablename__ = "streak_milestones"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    weeks: Mapped[int] = mapped_column(Integer, primary_key=True)
    reached_week: Mapped[date] = mapped_column(Date, primary_key=True)
    awarded_at: Mapped[datetime]


class GamificationProfileRow(Base):
    __tablename__ = "gamification_profiles"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    nickname: Mapped[str | None] = mapped_column(String(24))
    leaderboard: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime]
