"""The money wallet: cashback credited as money, taken back by returns, spent at a till.

``wallet_entries`` and ``wallet_postings`` are append-only (triggers refuse
UPDATE and DELETE on both engines, as 0001 does for the points ledger);
``member_wallets`` holds each member's balance and debt under CHECK constraints;
``purchase_line_cashback`` records the cashback each rule gave each line.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("wallet_entries", "wallet_postings")


def upgrade() -> None:
    op.create_table(
        "member_wallets",
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("debt_minor", sa.BigInteger(), nullable=False),
        sa.Column("chain_seq", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_wallets")),
        sa.CheckConstraint(
            "balance_minor >= 0", name=op.f("ck_member_wallets_balance_not_negative")
        ),
        sa.CheckConstraint("debt_minor <= 0", name=op.f("ck_member_wallets_debt_not_positive")),
    )
    op.create_table(
        "wallet_entries",
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("member_id", sa.String(36), sa.ForeignKey("members.member_id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("store_id", sa.String(64), nullable=True),
        sa.Column("source_type", sa.String(32), nullable=True),
        sa.Column("source_id", sa.String(128), nullable=True),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("actor", sa.String(128), nullable=True),
        sa.Column("programme_version", sa.Integer(), nullable=True),
        sa.Column("rule_id", sa.String(128), nullable=True),
        sa.Column("extra", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_wallet_entries")),
        sa.UniqueConstraint("member_id", "seq", name="uq_wallet_entries_member_seq"),
    )
    op.create_index("ix_wallet_entries_source", "wallet_entries", ["source_type", "source_id"])
    op.create_table(
        "wallet_postings",
        sa.Column(
            "posting_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "entry_id", sa.String(36), sa.ForeignKey("wallet_entries.entry_id"), nullable=False
        ),
        sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("account", sa.String(24), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("posting_id", name=op.f("pk_wallet_postings")),
    )
    op.create_index(op.f("ix_wallet_postings_entry_id"), "wallet_postings", ["entry_id"])
    op.create_index(op.f("ix_wallet_postings_member_id"), "wallet_postings", ["member_id"])
    op.create_table(
        "purchase_line_cashback",
        sa.Column(
            "purchase_id", sa.String(36), sa.ForeignKey("purchases.purchase_id"), nullable=False
        ),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(80), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "purchase_id", "line_no", "rule_id", name=op.f("pk_purchase_line_cashback")
        ),
        sa.CheckConstraint(
            "amount_minor > 0", name=op.f("ck_purchase_line_cashback_amount_positive")
        ),
    )
    _protect_wallet()


def downgrade() -> None:
    _unprotect_wallet()
    op.drop_table("purchase_line_cashback")
    op.drop_index(op.f("ix_wallet_postings_member_id"), table_name="wallet_postings")
    op.drop_index(op.f("ix_wallet_postings_entry_id"), table_name="wallet_postings")
    op.drop_table("wallet_postings")
    op.drop_index("ix_wallet_entries_source", table_name="wallet_entries")
    op.drop_table("wallet_entries")
    op.drop_table("member_wallets")


def _protect_wallet() -> None:
    """The store refuses to change or delete a wallet row (0001's guard, on these tables)."""
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:  # loyalo_append_only() was created by 0001
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION loyalo_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                "BEGIN SELECT RAISE(ABORT, "
                f"'the ledger is append-only: {action} on {table} refused'); END"
            )


def _unprotect_wallet() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for table in APPEND_ONLY:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
