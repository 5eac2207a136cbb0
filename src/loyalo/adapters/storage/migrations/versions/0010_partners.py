"""Partners of a coalition programme: partners, their rates, their transactions,
and API keys bound to a partner.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("partner_id", sa.String(24), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partners")),
    )
    op.create_table(
        "partner_rates",
        sa.Column(
            "partner_id", sa.String(24), sa.ForeignKey("partners.partner_id"), nullable=False
        ),
        sa.Column("effective_from", UTC_TIME, nullable=False),
        sa.Column("earn_points_per_unit", sa.String(40), nullable=False),
        sa.Column("issue_price", sa.String(40), nullable=False),
        sa.Column("redeem_price", sa.String(40), nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "effective_from", name=op.f("pk_partner_rates")),
    )
    op.create_table(
        "partner_transactions",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.String(36), nullable=False),
        sa.Column(
            "partner_id", sa.String(24), sa.ForeignKey("partners.partner_id"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=False),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False),
        sa.Column("store_id", sa.String(64), nullable=True),
        sa.Column("receipt_id", sa.String(128), nullable=True),
        sa.Column("purchase_id", sa.String(36), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("occurred_at", UTC_TIME, nullable=False),
        sa.Column("recorded_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_partner_transactions")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_partner_transactions_transaction_id")),
        sa.UniqueConstraint("kind", "source_id", name="uq_partner_transactions_source"),
    )
    op.create_index(
        "ix_partner_transactions_partner", "partner_transactions", ["partner_id", "recorded_at"]
    )
    # The partner is checked when its key is made (partners are never deleted); a foreign
    # key would take a batch rebuild of api_keys on SQLite.
    op.add_column("api_keys", sa.Column("partner_id", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("partner_id")
    op.drop_index("ix_partner_transactions_partner", table_name="partner_transactions")
    op.drop_table("partner_transactions")
    op.drop_table("partner_rates")
    op.drop_table("partners")
