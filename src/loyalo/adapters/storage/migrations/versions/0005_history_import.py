"""History import: runs, non-member sales, unmatched and imported returns, rejects.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
WHEN = sa.DateTime(timezone=True)


def _run(primary: bool = True) -> sa.Column[str]:
    return sa.Column(
        "run_id",
        sa.String(length=36),
        sa.ForeignKey("import_runs.run_id"),
        primary_key=primary,
        nullable=False,
    )


def _member() -> sa.Column[str]:
    return sa.Column(
        "member_id", sa.String(length=36), sa.ForeignKey("members.member_id"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "import_runs",
        sa.Column("run_id", sa.String(length=36), primary_key=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False, unique=True),
        sa.Column("options", JSON, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("receipts_done", sa.BigInteger(), nullable=False),
        sa.Column("counts", JSON, nullable=False),
    )
    op.create_table(
        "non_member_sales",
        _run(),
        sa.Column("line_no", sa.BigInteger(), primary_key=True),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("receipt_id", sa.String(128), nullable=False),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("country", sa.String(64), nullable=True),
    )
    op.create_index("ix_non_member_sales_occurred_at", "non_member_sales", ["occurred_at"])
    op.create_table(
        "unmatched_returns",
        _run(),
        sa.Column("line_no", sa.BigInteger(), primary_key=True),
        _member(),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("receipt_id", sa.String(128), nullable=False),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_unmatched_returns_member_id", "unmatched_returns", ["member_id"])
    op.create_table(
        "imported_returns",
        sa.Column("store_id", sa.String(64), primary_key=True),
        sa.Column("receipt_id", sa.String(128), primary_key=True),
        _member(),
        _run(primary=False),
        sa.Column("occurred_at", WHEN, nullable=False),
        sa.Column("matched_units", sa.Integer(), nullable=False),
        sa.Column("unmatched_units", sa.Integer(), nullable=False),
    )
    op.create_table(
        "import_rejects",
        _run(),
        sa.Column("line_no", sa.BigInteger(), primary_key=True),
        sa.Column("receipt_id", sa.String(128), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "import_rejects",
        "imported_returns",
        "unmatched_returns",
        "non_member_sales",
        "import_runs",
    ):
        op.drop_table(table)
