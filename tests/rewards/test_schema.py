"""The catalogue's tables as migration 0014 creates them match tables_catalogue.py."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, create_engine

from loyalo.adapters.storage.tables import Base
from loyalo.adapters.storage.tables_catalogue import (
    DonationRow,
    RedemptionRow,
    RewardCounterRow,
    RewardStockRow,
)

TABLES = {
    row.__tablename__ for row in (RewardStockRow, RewardCounterRow, RedemptionRow, DonationRow)
}


def _table_of(diff: Any) -> str | None:
    """The table a difference is about: a table, a column's, an index's or a constraint's."""
    if isinstance(diff, list):  # column modifications come as a list of tuples
        diff = diff[0]
    for item in diff[1:]:
        if isinstance(item, Table):
            return str(item.name)
        if isinstance(item, str) and item in TABLES:
            return item
        table = getattr(item, "table", None)
        if isinstance(table, Table):
            return str(table.name)
    return None


def test_the_migration_creates_what_the_tables_declare(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    engine.dispose()
    ours = [diff for diff in diffs if _table_of(diff) in TABLES]
    assert ours == []
