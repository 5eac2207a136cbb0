"""PostgreSQL commits transactions out of order: the export's horizon and band, with real
connections held open across exports.

A transaction that began before an export and commits after it must be exported by
the next one, once; a newer transaction that committed meanwhile must be exported at
once, not held back until the older one ends, and never again. The table's rows
carry their transaction's id (migration 0015), which the migration gives the rows
already there.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.adapters.storage.migrate import upgrade
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.purchases import PurchaseCommand
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.analytics.support import sale
from tests.programme.support import apply, enrol
from tests.support.clock import FakeClock
from tests.support.databases import create_postgres_database, drop_postgres_database

EARN = {"points": 1, "per": "1.00"}


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path) -> Iterator[Container]:
    container = build(Settings(data_dir=tmp_path, database_url=postgres_url), clock=FakeClock())
    apply(container, currency="PLN", earning=EARN)
    yield container
    container.close()


def _receipts(store: AnalyticsStore) -> dict[str, int]:
    rows = store.rows("SELECT receipt_id, COUNT(*) AS n FROM purchases GROUP BY receipt_id")
    return {row["receipt_id"]: row["n"] for row in rows}


def _entries(store: AnalyticsStore) -> dict[str, int]:
    """Each exported journal entry's postings (an earn has two: issuance and wallet)."""
    rows = store.rows("SELECT entry_id, COUNT(*) AS n FROM postings GROUP BY entry_id")
    return {row["entry_id"]: row["n"] for row in rows}


def _command(member: Member, receipt: str) -> PurchaseCommand:
    return PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="s1",
        receipt_id=receipt,
        channel="pos",
        occurred_at=FakeClock().now(),
        currency="PLN",
        total_minor=1_000,
        lines=(Line("SKU", 1, 1_000),),
    )


def test_a_transaction_open_across_an_export_is_exported_once_after_it_commits(
    pg: Container,
) -> None:
    older, newer = enrol(pg), enrol(pg)
    sale(pg, older, 500, "pos", "s1", "BEFORE")
    pg.analytics.export()
    store = pg.analytics_store
    with pg.ctx.uow() as long:
        pg.purchases.record(long, _command(older, "LONG"))  # written, not committed
        connection = long.session.connection()
        long_txid = connection.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar()
        quick = sale(pg, newer, 700, "pos", "s1", "QUICK")  # a newer transaction, committed

        during = pg.analytics.export()
        assert (during.rows["purchases"], during.rows["postings"]) == (1, 2)
        assert _receipts(store) == {"BEFORE": 1, "QUICK": 1}  # not held back by LONG
        mark = store.warehouse.marks().tables["purchases"]
        assert mark.position <= long_txid  # the horizon waits for LONG ...
        assert quick.purchase.purchase_id in mark.band  # ... and QUICK is remembered

        long.commit()
    after = pg.analytics.export()
    assert (after.rows["purchases"], after.rows["postings"]) == (1, 2)
    assert _receipts(store) == {"BEFORE": 1, "QUICK": 1, "LONG": 1}
    again = pg.analytics.export()
    assert again.rows == {}
    entries = _entries(store)
    assert sorted(entries.values()) == [2, 2, 2]  # three earn entries of two postings, once


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["write", "savepoint", "undo", "commit", "abort", "export"]),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
# an older transaction open across two exports while a newer one commits: the band's case
@example(actions=[("write", 0), ("write", 1), ("commit", 1), ("export", 0), ("export", 0)])
# a savepoint's row, and one undone, in a transaction that commits after an export
@example(actions=[("savepoint", 2), ("undo", 2), ("export", 0), ("write", 1), ("commit", 2)])
def test_any_interleaving_of_commits_and_exports_exports_each_committed_row_once(
    pg: Container, actions: list[tuple[str, int]]
) -> None:
    """Three connections write purchases (some in savepoints, some undone, some aborted)
    and commit in any order while exports run: after each export the warehouse holds
    exactly the purchases committed so far, each once."""
    member = enrol(pg)
    connections = [pg.engine.connect() for _ in range(3)]
    pending: list[list[str]] = [[], [], []]
    committed: set[str] = set()
    written: set[str] = set()  # the database keeps earlier examples' purchases: not these
    with TemporaryDirectory() as folder:
        warehouse = ParquetWarehouse(Path(folder))
        exporter = AnalyticsExporter(pg.ctx, warehouse)
        try:
            for action, slot in [*actions, ("export", 0)]:
                connection = connections[slot]
                if action == "export":
                    exporter.run()
                    exported = _purchase_ids(warehouse)
                    mine = {key: n for key, n in exported.items() if key in written}
                    assert mine == dict.fromkeys(committed, 1)
                elif action == "commit":
                    connection.commit()
                    committed.update(pending[slot])
                    pending[slot] = []
                elif action == "abort":
                    connection.rollback()
                    pending[slot] = []
                else:
                    written.add(_write(connection, member, action, pending[slot]))
        finally:
            for connection in connections:
                connection.rollback()
                connection.close()


def _write(connection: Connection, member: Member, how: str, pending: list[str]) -> str:
    """A purchase written as ``how`` says (plainly, in a savepoint, or undone); its key."""
    key = str(uuid.uuid4())
    if how == "write":
        _insert(connection, member, key)
        pending.append(key)
        return key
    savepoint = connection.begin_nested()
    _insert(connection, member, key)
    if how == "undo":
        savepoint.rollback()
    else:
        savepoint.commit()
        pending.append(key)
    return key


def _insert(connection: Connection, member: Member, purchase_id: str) -> None:
    connection.execute(
        text(
            "INSERT INTO purchases (purchase_id, member_id, store_id, receipt_id, channel, "
            "occurred_at, currency, total_minor, points_earned, fingerprint, discount_minor) "
            "VALUES (:id, :member, 's9', :id, 'pos', now(), 'PLN', 100, 0, '', 0)"
        ),
        {"id": purchase_id, "member": member.member_id},
    )


def _purchase_ids(warehouse: ParquetWarehouse) -> dict[str, int]:
    rows = AnalyticsStore(warehouse).rows(
        "SELECT purchase_id, COUNT(*) AS n FROM purchases WHERE store_id = 's9' GROUP BY 1"
    )
    return {row["purchase_id"]: row["n"] for row in rows}


@pytest.fixture
def at_0014(postgres_url: str) -> Iterator[str]:
    """A database of its own, migrated to the revision before the export's positions."""
    name = f"loyalo_test_export_upgrade_{os.getpid()}"
    url = create_postgres_database(name, "0014")
    yield url
    drop_postgres_database(name)


def test_the_migration_gives_existing_rows_one_old_transaction_id(
    at_0014: str, tmp_path: Path
) -> None:
    container = build(Settings(data_dir=tmp_path, database_url=at_0014), clock=FakeClock())
    try:
        apply(container, currency="PLN", earning=EARN)
        member = enrol(container)
        for number in range(3):
            sale(container, member, 1_000, "pos", "s1", f"OLD{number}")
        upgrade(container.engine)
        with container.engine.connect() as connection:
            both = "SELECT txid::text FROM purchases UNION SELECT txid::text FROM journal_entries"
            txids = connection.execute(text(both)).scalars().all()
        assert len(txids) == 1  # the migration's own transaction

        first = container.analytics.export()
        assert (first.rows["purchases"], first.rows["postings"]) == (3, 6)
        sale(container, member, 1_000, "pos", "s1", "NEW")
        second = container.analytics.export()
        assert (second.rows["purchases"], second.rows["postings"]) == (1, 2)
        assert _receipts(container.analytics_store) == {"OLD0": 1, "OLD1": 1, "OLD2": 1, "NEW": 1}
    finally:
        container.close()
