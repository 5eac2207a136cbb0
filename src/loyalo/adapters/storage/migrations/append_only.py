"""The append-only guard migrations put on a table: triggers that refuse UPDATE and DELETE.

On PostgreSQL the trigger calls ``loyalo_append_only()``, created by migration 0001; SQLite
has no trigger functions, so each statement gets a trigger that aborts with ``message``.
Migrations 0001 and 0007 spell the same guard out (they are frozen); later ones call this.
"""

from __future__ import annotations

from alembic import op


def protect(table: str, message: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION loyalo_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{message}: {action} on {table} refused'); END"
        )


def unprotect(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for action in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
