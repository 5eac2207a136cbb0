"""Referrals: each member's code, each friend's referral, and the points each side got.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEMBER = "members.member_id"


def upgrade() -> None:
    op.create_table(
        "referral_codes",
        sa.Column("member_id", sa.String(36), sa.ForeignKey(MEMBER), nullable=False),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_referral_codes")),
        sa.UniqueConstraint("code", name=op.f("uq_referral_codes_code")),
    )
    op.create_table(
        "referrals",
        sa.Column("referral_id", sa.String(36), nullable=False),
        sa.Column("friend_id", sa.String(36), sa.ForeignKey(MEMBER), nullable=False),
        sa.Column("advocate_id", sa.String(36), sa.ForeignKey(MEMBER), nullable=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rewarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("qualified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purchase_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referrals")),
        sa.UniqueConstraint("friend_id", name=op.f("uq_referrals_friend_id")),
    )
    op.create_index("ix_referrals_advocate", "referrals", ["advocate_id", "created_at"])
    op.create_index("ix_referrals_advocate_rewarded", "referrals", ["advocate_id", "rewarded_at"])
    op.create_table(
        "referral_rewards",
        sa.Column("reward_id", sa.String(36), nullable=False),
        sa.Column(
            "referral_id", sa.String(36), sa.ForeignKey("referrals.referral_id"), nullable=False
        ),
        sa.Column("member_id", sa.String(36), sa.ForeignKey(MEMBER), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("side", sa.String(16), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("earned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reversal_entry_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("reward_id", name=op.f("pk_referral_rewards")),
        sa.UniqueConstraint("referral_id", "stage", "side", name=op.f("uq_referral_rewards_step")),
        sa.CheckConstraint("points > 0", name=op.f("ck_referral_rewards_points_positive")),
    )
    op.create_index(
        op.f("ix_referral_rewards_member_id"), "referral_rewards", ["member_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("referral_rewards")
    op.drop_table("referrals")
    op.drop_table("referral_codes")
