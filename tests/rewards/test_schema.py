"""The catalogue's tables as migration 0009 creates them match tables_catalogue.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from loyalo.adapters.storage.tables import Base
from loyalo.adapters.storage.tables_catalogue import (
    DonationRow,
    RedemptionRow,
    RewardCounterRow,
    RewardStockRow,
)

TABLES = {row.__tablename__ for row in (RewardStockRow, RewardCounterRow, RedemptionRow, DonationRow)}


def _table_of(diff: Any) -> str | None:
    """The table a difference is about, whatever its shape."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return _table_of(diff[0])
    for item in diff[1:]:
        name = getattr(item, "name", None) if hasattr(item, "columns") else None
        table = getattr(item, "table", None)
        if table is not None and getattr(table, "name", None):
            return str(table.name)
        if name and name in TABLES:
            return str(name)
        if isinstance(item, str) and item in TABLES:
            return item
    return None


def test_the_migration_creates_what_the_tables_declare(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    ours = [diff for diff in diffs if _table_of(diff) in TABLES]
    assert ours == []
