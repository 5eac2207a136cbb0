"""Stamps on returns: the stamps each line earned, and the stamps a card owes.

A return takes back the stamps its units gave (``purchase_line_stamps``); stamps
that had already completed a card are owed (``stamp_cards.owed``) and settled by
the next stamps on that card.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "purchase_line_stamps",
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("card", sa.String(80), nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "purchase_id", "line_no", "rule_id", name=op.f("pk_purchase_line_stamps")
        ),
        sa.CheckConstraint("stamps > 0", name=op.f("ck_purchase_line_stamps_stamps_positive")),
    )
    with op.batch_alter_table("stamp_cards") as batch:
        batch.add_column(sa.Column("owed", sa.Integer(), nullable=False, server_default="0"))
        batch.create_check_constraint(
            op.f("ck_stamp_cards_stamps_not_negative"), sa.text("stamps >= 0")
        )
        batch.create_check_constraint(
            op.f("ck_stamp_cards_owed_not_negative"), sa.text("owed >= 0")
        )


def downgrade() -> None:
    with op.batch_alter_table("stamp_cards") as batch:
        batch.drop_constraint(op.f("ck_stamp_cards_owed_not_negative"), type_="check")
        batch.drop_constraint(op.f("ck_stamp_cards_stamps_not_negative"), type_="check")
        batch.drop_column("owed")
    op.drop_table("purchase_line_stamps")
