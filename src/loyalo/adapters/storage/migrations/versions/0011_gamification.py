"""Gamification: challenge progress per member and window, badges, purchase streaks, profiles.

``challenge_progress`` is keyed by member, challenge and window, and its CHECK
keeps progress between 0 and the target; ``challenge_counted`` remembers what
counts once (a distinct event value, a new category); ``challenge_contributions``
what each purchase added, which a full return takes back from unfinished
progress; ``member_badges`` holds a badge once per member; ``streak_weeks`` the
weeks with a purchase and ``streak_milestones`` each milestone once per run;
``gamification_profiles`` the leaderboard nickname and opt-out.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _member() -> sa.Column[str]:
    return sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False)


def _at(name: str, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "challenge_progress",
        _member(),
        sa.Column("challenge_id", sa.String(80), nullable=False),
        sa.Column("window_key", sa.String(16), nullable=False),
        sa.Column("progress", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        _at("opens", nullable=True),
        _at("closes", nullable=True),
        _at("reached_at", nullable=True),
        _at("completed_at", nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "member_id", "challenge_id", "window_key", name=op.f("pk_challenge_progress")
        ),
        sa.CheckConstraint(
            "progress >= 0 AND progress <= target",
            name=op.f("ck_challenge_progress_progress_in_range"),
        ),
    )
    op.create_index(
        "ix_challenge_progress_board", "challenge_progress", ["challenge_id", "window_key"]
    )
    op.create_table(
        "challenge_counted",
        _member(),
        sa.Column("challenge_id", sa.String(80), nullable=False),
        sa.Column("window_key", sa.String(16), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "member_id", "challenge_id", "window_key", "item", name=op.f("pk_challenge_counted")
        ),
    )
    op.create_table(
        "challenge_contributions",
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("challenge_id", sa.String(80), nullable=False),
        sa.Column("window_key", sa.String(16), nullable=False),
        _member(),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column(
            "items", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint(
            "purchase_id", "challenge_id", "window_key", name=op.f("pk_challenge_contributions")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_challenge_contributions_amount_positive")),
    )
    op.create_table(
        "member_badges",
        _member(),
        sa.Column("badge_id", sa.String(80), nullable=False),
        _at("awarded_at"),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "badge_id", name=op.f("pk_member_badges")),
    )
    op.create_table(
        "streak_weeks",
        _member(),
        sa.Column("week", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "week", name=op.f("pk_streak_weeks")),
    )
    op.create_table(
        "streak_milestones",
        _member(),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("reached_week", sa.Date(), nullable=False),
        _at("awarded_at"),
        sa.PrimaryKeyConstraint(
            "member_id", "weeks", "reached_week", name=op.f("pk_streak_milestones")
        ),
    )
    op.create_table(
        "gamification_profiles",
        _member(),
        sa.Column("nickname", sa.String(24), nullable=True),
        sa.Column("leaderboard", sa.Boolean(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_gamification_profiles")),
    )


def downgrade() -> None:
    op.drop_table("gamification_profiles")
    op.drop_table("streak_milestones")
    op.drop_table("streak_weeks")
    op.drop_table("member_badges")
    op.drop_table("challenge_contributions")
    op.drop_table("challenge_counted")
    op.drop_index("ix_challenge_progress_board", table_name="challenge_progress")
    op.drop_table("challenge_progress")
