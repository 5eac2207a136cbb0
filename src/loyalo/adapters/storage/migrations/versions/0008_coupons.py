"""Coupons and promo codes: batches, coupons, and one row per use.

``coupons.uses`` is kept within ``max_uses`` by a CHECK; ``coupon_uses`` allows
one use per coupon and purchase, and one live (not undone) use of a single-use
coupon (a partial unique index), so a double use cannot be stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "coupon_batches",
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("pattern", sa.String(64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("benefit", JSON, nullable=False),
        sa.Column("valid_from", WHEN, nullable=False),
        sa.Column("valid_until", WHEN, nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("per_member_limit", sa.Integer(), nullable=True),
        sa.Column("combinable", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("batch_id", name=op.f("pk_coupon_batches")),
    )
    op.create_table(
        "coupons",
        sa.Column("coupon_id", sa.String(36), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("benefit", JSON, nullable=False),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=True),
        sa.Column("valid_from", WHEN, nullable=False),
        sa.Column("valid_until", WHEN, nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("per_member_limit", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("combinable", sa.Boolean(), nullable=False),
        sa.Column("cancelled_at", WHEN, nullable=True),
        sa.Column("source_type", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=True),
        sa.Column(
            "batch_id", sa.String(36), sa.ForeignKey("coupon_batches.batch_id"), nullable=True
        ),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("coupon_id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
        sa.CheckConstraint("uses >= 0", name=op.f("ck_coupons_uses_not_negative")),
        sa.CheckConstraint(
            "max_uses IS NULL OR uses <= max_uses", name=op.f("ck_coupons_uses_within_max")
        ),
    )
    op.create_index("ix_coupons_member", "coupons", ["member_id", "created_at"])
    op.create_index("ix_coupons_source", "coupons", ["source_type", "source_id"])
    op.create_index("ix_coupons_batch", "coupons", ["batch_id"])
    op.create_table(
        "coupon_uses",
        sa.Column("use_id", sa.String(36), nullable=False),
        sa.Column("coupon_id", sa.String(36), sa.ForeignKey("coupons.coupon_id"), nullable=False),
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False),
        sa.Column("single_use", sa.Boolean(), nullable=False),
        sa.Column("discount_minor", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("used_at", WHEN, nullable=False),
        sa.Column("undone_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("use_id", name=op.f("pk_coupon_uses")),
    )
    op.create_index(
        "uq_coupon_uses_purchase", "coupon_uses", ["coupon_id", "purchase_id"], unique=True
    )
    op.create_index(
        "uq_coupon_uses_single_use",
        "coupon_uses",
        ["coupon_id"],
        unique=True,
        sqlite_where=sa.text("single_use = 1 AND undone_at IS NULL"),
        postgresql_where=sa.text("single_use AND undone_at IS NULL"),
    )
    op.create_index("ix_coupon_uses_member", "coupon_uses", ["coupon_id", "member_id"])
    op.create_index("ix_coupon_uses_purchase_id", "coupon_uses", ["purchase_id"])


def downgrade() -> None:
    for index in (
        "ix_coupon_uses_purchase_id",
        "ix_coupon_uses_member",
        "uq_coupon_uses_single_use",
        "uq_coupon_uses_purchase",
    ):
        op.drop_index(index, table_name="coupon_uses")
    op.drop_table("coupon_uses")
    for index in ("ix_coupons_batch", "ix_coupons_source", "ix_coupons_member"):
        op.drop_index(index, table_name="coupons")
    op.drop_table("coupons")
    op.drop_table("coupon_batches")
