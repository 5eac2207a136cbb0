"""Gift cards: stored money paid with at the till.

``gift_cards`` holds each card's balance under a CHECK (never negative);
``gift_card_movements`` is append-only (triggers refuse UPDATE and DELETE on
both engines, as 0001 does for the points ledger) and each movement's balance
after it is CHECKed too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from loyalo.adapters.storage.migrations.append_only import protect, unprotect

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = "gift_card_movements"


def upgrade() -> None:
    op.create_table(
        "gift_cards",
        sa.Column("card_id", sa.String(36), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("pin_hash", sa.String(128), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("initial_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("card_id", name=op.f("pk_gift_cards")),
        sa.UniqueConstraint("code", name=op.f("uq_gift_cards_code")),
        sa.CheckConstraint("balance_minor >= 0", name=op.f("ck_gift_cards_balance_not_negative")),
        sa.CheckConstraint("initial_minor > 0", name=op.f("ck_gift_cards_initial_positive")),
    )
    op.create_table(
        "gift_card_movements",
        sa.Column("movement_id", sa.String(36), nullable=False),
        sa.Column("card_id", sa.String(36), sa.ForeignKey("gift_cards.card_id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_minor", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("store_id", sa.String(64), nullable=True),
        sa.Column("purchase_id", sa.String(36), nullable=True),
        sa.Column("return_id", sa.String(36), nullable=True),
        sa.Column("reference", sa.String(128), nullable=True),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("tender_position", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("movement_id", name=op.f("pk_gift_card_movements")),
        sa.UniqueConstraint("card_id", "seq", name="uq_gift_card_movements_card_seq"),
        sa.CheckConstraint(
            "balance_after_minor >= 0",
            name=op.f("ck_gift_card_movements_balance_after_not_negative"),
        ),
    )
    op.create_index(
        op.f("ix_gift_card_movements_purchase_id"), "gift_card_movements", ["purchase_id"]
    )
    protect(APPEND_ONLY, "gift card movements are append-only")


def downgrade() -> None:
    unprotect(APPEND_ONLY)
    op.drop_index(op.f("ix_gift_card_movements_purchase_id"), table_name="gift_card_movements")
    op.drop_table("gift_card_movements")
    op.drop_table("gift_cards")
