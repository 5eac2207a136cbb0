"""The migrations and the table definitions the code uses describe one schema.

Tests empty every table of ``Base.metadata`` between tests on PostgreSQL, and the
repositories build their statements from it: a table the migrations create but the
metadata lacks would keep rows from one test to the next, and a column the code
names but no migration creates fails only when that statement first runs.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from loyalo.adapters.storage.tables import Base

MIGRATION_ONLY = {"alembic_version"}


def test_every_migrated_table_and_column_is_in_the_metadata(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
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
        assert migrated[name] == columns, name
