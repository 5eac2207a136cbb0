"""The referral tables as migration 0012 creates them are the tables the code declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from loyalo.adapters.storage import tables_referrals
from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.tables import Base

REFERRAL_TABLES = {
    tables_referrals.ReferralCodeRow.__tablename__,
    tables_referrals.ReferralRow.__tablename__,
    tables_referrals.ReferralRewardRow.__tablename__,
}


def _tables_of(difference: object) -> set[str]:
    """The table names a difference mentions (alembic reports tuples, or lists of them)."""
    found = set()
    pending = [difference]
    while pending:
        item = pending.pop()
        if isinstance(item, list | tuple):
            pending.extend(item)
        elif getattr(item, "name", None) in REFERRAL_TABLES:
            found.add(item.name)  # type: ignore[attr-defined]
        elif getattr(getattr(item, "table", None), "name", None) in REFERRAL_TABLES:
            found.add(item.table.name)  # type: ignore[attr-defined]
        elif isinstance(item, str) and item in REFERRAL_TABLES:
            found.add(item)
    return found


def test_the_migration_creates_the_declared_referral_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert set(engine.dialect.get_table_names(connection)) >= REFERRAL_TABLES
    finally:
        engine.dispose()
    assert [d for d in differences if _tables_of(d)] == []
