"""Migration 0016 on a database that already has members and tiers, and back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from loyalo.adapters.storage.migrate import alembic_config, upgrade
from loyalo.bootstrap.container import build
from loyalo.bootstrap.settings import Settings
from tests.analytics.test_export_members import TIERS
from tests.programme.support import apply, buy, enrol
from tests.support.clock import FakeClock
from tests.support.databases import create_postgres_database, drop_postgres_database

EARN = {"points": 1, "per": "1.00"}


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0015(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, migrated to the revision before the members' marker."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'at-0015.db'}"
        engine = create_engine(url)
        upgrade(engine, "0015")
        engine.dispose()
    else:
        request.getfixturevalue("_postgres_url")  # skipped, or failed in CI, without PostgreSQL
        name = f"loyalo_test_members_marker_{os.getpid()}"
        url = create_postgres_database(name, "0015")
    yield url
    if request.param == "postgresql":
        drop_postgres_database(name)


def test_the_marker_comes_to_a_database_with_members_and_goes_again(
    at_0015: str, tmp_path: Path
) -> None:
    container = build(Settings(data_dir=tmp_path, database_url=at_0015), clock=FakeClock())
    try:
        apply(container, currency="PLN", earning=EARN, tiers=TIERS)
        a, b = enrol(container), enrol(container)
        buy(container, a, 15_000_00)
        upgrade(container.engine)
        postgres = container.engine.dialect.name == "postgresql"
        if postgres:
            with container.engine.connect() as connection:
                both = "SELECT txid::text FROM members UNION SELECT txid::text FROM member_tiers"
                assert len(connection.execute(text(both)).scalars().all()) == 1  # 0016's own

        assert container.analytics.export().rows["members"] == 2
        assert not container.analytics.export().published
        with container.ctx.uow() as uow:
            container.members.update(uow, f"id:{b.member_id}", {"attributes": {"flags": ["x"]}})
            uow.commit()
        assert container.analytics.export().rows["members"] == 2
        rows = container.analytics_store.rows("SELECT member_id, tier_id, flags FROM members")
        assert {(r["member_id"], r["tier_id"], r["flags"]) for r in rows} == {
            (a.member_id, "silver", ""),
            (b.member_id, "bronze", "|x|"),
        }

        command.downgrade(alembic_config(container.engine), "0015")
        inspector = inspect(container.engine)
        assert "export_changes" not in inspector.get_table_names()
        assert "txid" not in {c["name"] for c in inspector.get_columns("members")}
        buy(container, b, 20_000_00)  # members and tiers are written without the triggers
        enrol(container)
        upgrade(container.engine)
        assert container.analytics.export().rows["members"] == 3
    finally:
        container.close()
