"""The analytics export's positions: on PostgreSQL, the transaction that wrote each row.

The export reads what is new since its last mark instead of comparing every key
(``adapters/storage/analytics.py``). On PostgreSQL each table it reads by mark
gets ``txid xid8 NOT NULL DEFAULT pg_current_xact_id()`` (the top-level
transaction, even inside a savepoint) and a b-tree index on it. The default is
volatile, so adding the column rewrites the table and fills the rows already
there with this migration's transaction id: older than any later writer, which is
all the export needs. The code never writes the column. The column is analysed at
once, so that the planner reads the export's ``txid >= :mark`` from the index.

SQLite needs nothing: its writers are serialised, so the implicit ``rowid`` of
these append-only tables already grows in commit order.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# purchase lines are read with their purchase, postings with their journal entry
TABLES = ("purchases", "purchase_returns", "member_events", "non_member_sales", "journal_entries")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()"
        )
        op.execute(f"CREATE INDEX ix_{table}_txid ON {table} (txid)")
        # Statistics for the new column now: without them the planner guesses a third of the
        # table for ``txid >= :mark`` and scans it whole, until autovacuum analyses the table,
        # which the rewrite alone does not prompt.
        op.execute(f"ANALYZE {table} (txid)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP INDEX ix_{table}_txid")
        op.execute(f"ALTER TABLE {table} DROP COLUMN txid")
