"""A change marker for the members dimension of the analytics export.

The export rewrote every member on every run. It now rewrites them only when one
of the rows they are read from may have changed: a member's id, enrolment time or
attributes (the flags), or the tier stored for a member (``members`` outer join
``member_tiers``); the programme's tier levels, the other input, are kept with the
export's marks. Triggers maintain the marker, so no code path can forget it, and
they fire only when one of those columns changes (a purchase that leaves the tier
as it was changes nothing here).

* SQLite: ``export_changes`` holds a random token per dimension; every insert,
  relevant update and delete of ``members`` or ``member_tiers`` replaces it.
  Writers are serialised, so one row adds no waiting.
* PostgreSQL: a single row would make every enrolment and tier change in the
  cluster wait on it. ``members`` and ``member_tiers`` get ``txid xid8`` instead,
  as migration 0015 gave the append-only tables: a column default for inserts, a
  ``BEFORE UPDATE`` trigger when a relevant column changes, an index, and its
  statistics. A deletion leaves no row to stamp, so deletions and truncations
  (which the application never does) replace the ``export_changes`` token.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = {
    "members": ("member_id", "created_at", "attributes"),
    "member_tiers": ("member_id", "tier_id"),
}
"""Each table the members dimension is read from, and the columns it reads."""

SQLITE_TOUCH = (
    "INSERT OR REPLACE INTO export_changes (name, token) "
    "VALUES ('members', lower(hex(randomblob(16))))"
)


def upgrade() -> None:
    op.create_table(
        "export_changes",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("token", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_export_changes")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("INSERT INTO export_changes VALUES ('members', md5(random()::text))")
        _postgresql()
    else:
        op.execute(SQLITE_TOUCH)
        _sqlite()


def _sqlite() -> None:
    for table, columns in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        op.execute(
            f"CREATE TRIGGER {table}_export_insert AFTER INSERT ON {table} "
            f"BEGIN {SQLITE_TOUCH}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_export_update AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} WHEN {changed} BEGIN {SQLITE_TOUCH}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_export_delete AFTER DELETE ON {table} "
            f"BEGIN {SQLITE_TOUCH}; END"
        )


def _postgresql() -> None:
    op.execute(
        """
        CREATE FUNCTION loyalo_export_stamp() RETURNS trigger AS $$
        BEGIN
            NEW.txid := pg_current_xact_id();
            RETURN NEW;
        END $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE FUNCTION loyalo_export_removed() RETURNS trigger AS $$
        BEGIN
            INSERT INTO export_changes (name, token) VALUES ('members', md5(random()::text))
            ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END $$ LANGUAGE plpgsql
        """
    )
    for table, columns in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()"
        )
        op.execute(f"CREATE INDEX ix_{table}_txid ON {table} (txid)")
        op.execute(f"ANALYZE {table} (txid)")  # as in 0015: the planner reads the index at once
        op.execute(
            f"CREATE TRIGGER {table}_export_update BEFORE UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION loyalo_export_stamp()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_export_removed AFTER DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION loyalo_export_removed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED:
            op.execute(f"DROP TRIGGER {table}_export_removed ON {table}")
            op.execute(f"DROP TRIGGER {table}_export_update ON {table}")
            op.execute(f"DROP INDEX ix_{table}_txid")
            op.execute(f"ALTER TABLE {table} DROP COLUMN txid")
        op.execute("DROP FUNCTION loyalo_export_removed()")
        op.execute("DROP FUNCTION loyalo_export_stamp()")
    else:
        for table in WATCHED:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_export_{action}")
    op.drop_table("export_changes")
