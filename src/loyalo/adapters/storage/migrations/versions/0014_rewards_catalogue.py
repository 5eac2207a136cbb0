"""The rewards catalogue: stock taken, limit counters, redemptions, donations.

``reward_stock`` and ``reward_counters`` are updated conditionally (``taken <
stock``, ``times < limit``) so the store refuses to oversell; CHECK constraints
keep them from going below zero when a cancelled redemption gives its unit back.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _member() -> sa.Column[str]:
    return sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "reward_stock",
        sa.Column("reward_id", sa.String(80), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reward_id", name=op.f("pk_reward_stock")),
        sa.CheckConstraint("taken >= 0", name=op.f("ck_reward_stock_taken_not_negative")),
    )
    op.create_table(
        "reward_counters",
        sa.Column("reward_id", sa.String(80), nullable=False),
        sa.Column("scope", sa.String(36), nullable=False),
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("times", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("reward_id", "scope", "bucket", name=op.f("pk_reward_counters")),
        sa.CheckConstraint("times >= 0", name=op.f("ck_reward_counters_times_not_negative")),
    )
    op.create_table(
        "redemptions",
        sa.Column("redemption_id", sa.String(36), nullable=False),
        _member(),
        sa.Column("reward_id", sa.String(80), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("benefit", JSON, nullable=False),
        sa.Column("delivery", sa.String(16), nullable=False),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=True),
        sa.Column("member_bucket", sa.String(32), nullable=True),
        sa.Column("total_bucket", sa.String(32), nullable=True),
        sa.Column("took_stock", sa.Boolean(), nullable=False),
        sa.Column("coupon_id", sa.String(64), nullable=True),
        sa.Column("coupon_code", sa.String(64), nullable=True),
        sa.Column("coupon_valid_until", WHEN, nullable=True),
        sa.Column("donation_id", sa.String(36), nullable=True),
        sa.Column("wallet_entry_id", sa.String(36), nullable=True),
        sa.Column("cancelled_at", WHEN, nullable=True),
        sa.Column("cancel_entry_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("redemption_id", name=op.f("pk_redemptions")),
        sa.CheckConstraint("points >= 0", name=op.f("ck_redemptions_points_not_negative")),
    )
    op.create_index("ix_redemptions_member_created", "redemptions", ["member_id", "created_at"])
    op.create_table(
        "donations",
        sa.Column("donation_id", sa.String(36), nullable=False),
        sa.Column(
            "redemption_id",
            sa.String(36),
            sa.ForeignKey("redemptions.redemption_id"),
            nullable=False,
        ),
        _member(),
        sa.Column("cause", sa.String(80), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("donation_id", name=op.f("pk_donations")),
        sa.UniqueConstraint("redemption_id", name=op.f("uq_donations_redemption_id")),
        sa.CheckConstraint("amount_minor > 0", name=op.f("ck_donations_amount_positive")),
    )
    op.create_index(op.f("ix_donations_member_id"), "donations", ["member_id"])
    op.create_index(op.f("ix_donations_cause"), "donations", ["cause"])


def downgrade() -> None:
    op.drop_index(op.f("ix_donations_cause"), table_name="donations")
    op.drop_index(op.f("ix_donations_member_id"), table_name="donations")
    op.drop_table("donations")
    op.drop_index("ix_redemptions_member_created", table_name="redemptions")
    op.drop_table("redemptions")
    op.drop_table("reward_counters")
    op.drop_table("reward_stock")
