"""The migrations and the table definitions the code uses describe one schema.

Tests empty every table of ``Base.metadata`` between tests on PostgreSQL, and the
repositories build their statements from it: a table the migrations create but the
metadata lacks would keep rows from one test to the next, and a column the code
names but no migration creates fails only when that statement first runs.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from loyalo.adapters.storage.export_positions import TXID_TABLES
from loyalo.adapters.storage.tables import Base

MIGRATION_ONLY = {"alembic_version"}
POSTGRESQL_ONLY = {table: {"txid"} for table in TXID_TABLES}
"""The analytics export's position (migration 0015): written by a column default, never by
the code, and read by name in ``adapters/storage/export_positions.py``; SQLite uses rowid."""


def test_every_migrated_table_and_column_is_in_the_metadata(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        extra = POSTGRESQL_ONLY if engine.dialect.name == "postgresql" else {}
        migrated = {
            name: {column["name"] for column in inspector.get_columns(name)}
            for name in inspector.get_table_names()
            if name not in MIGRATION_ONLY
        }
    finally:
        engine.dispose()
    declared = {
        table.name: {column.name for column in table.columns}
        for table in Base.metadata.sorted_tables
    }
    assert sorted(migrated) == sorted(declared)
    for name, columns in declared.items():
        assert migrated[name] == columns | extra.get(name, set()), name
