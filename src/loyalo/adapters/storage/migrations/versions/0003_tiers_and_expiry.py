"""Tiers, tier history, member activity and lot expiry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _member() -> sa.Column[str]:
    return sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "member_tiers",
        _member(),
        sa.Column("tier_id", sa.String(80), nullable=False),
        sa.Column("since", WHEN, nullable=False),
        sa.Column("review_at", WHEN, nullable=True),
        sa.Column("downgrade_at", WHEN, nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_tiers")),
    )
    op.create_index(op.f("ix_member_tiers_review_at"), "member_tiers", ["review_at"])
    op.create_table(
        "tier_history",
        sa.Column("history_id", sa.String(36), nullable=False),
        _member(),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("from_tier", sa.String(80), nullable=True),
        sa.Column("to_tier", sa.String(80), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("metric", sa.BigInteger(), nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("history_id", name=op.f("pk_tier_history")),
    )
    op.create_index(op.f("ix_tier_history_member_id"), "tier_history", ["member_id"])
    op.create_table(
        "member_activity_daily",
        _member(),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("spend_minor", sa.BigInteger(), nullable=False),
        sa.Column("points_earned", sa.BigInteger(), nullable=False),
        sa.Column("last_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("member_id", "day", name=op.f("pk_member_activity_daily")),
    )
    with op.batch_alter_table("lots") as batch:
        batch.add_column(sa.Column("expires_at", WHEN, nullable=True))
    op.create_index("ix_lots_expiry", "lots", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_lots_expiry", "lots")
    with op.batch_alter_table("lots") as batch:
        batch.drop_column("expires_at")
    op.drop_table("member_activity_daily")
    op.drop_table("tier_history")
    op.drop_table("member_tiers")
