"""The export finds what is new from its marks: what it reads grows with the new rows only.

The source and the sink are the real ones, subclassed to count what crosses the
ports: the keys the store hands over (from a mark, or all of them), and every time
the sink's Parquet keys are read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.adapters.storage.analytics import SqlAnalyticsSource
from loyalo.adapters.storage.tables import JournalEntryRow, PostingRow, PurchaseRow
from loyalo.adapters.storage.unit_of_work import SqlUnitOfWork
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import MARKED_TABLES, ExportMark, Marks, Staged
from loyalo.bootstrap.container import Container
from tests.analytics.support import START, build_shop, sale
from tests.support.clock import FakeClock

NOTHING = dict.fromkeys(MARKED_TABLES, 0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


class CountingSource(SqlAnalyticsSource):
    def __init__(self, session: Session, read: Counter[str]) -> None:
        super().__init__(session)
        self.read = read

    def keys_since(self, table: str, mark: ExportMark) -> list[str]:
        found = super().keys_since(table, mark)
        self.read[f"since:{table}"] += len(found)
        return found

    def keys(self, table: str) -> set[str]:
        found = super().keys(table)
        self.read[f"all:{table}"] += len(found)
        return found


class CountingWarehouse(ParquetWarehouse):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.keys_read: list[str] = []

    def exported_keys(self, table: str) -> set[str]:
        self.keys_read.append(table)
        return super().exported_keys(table)


@dataclass
class Counted:
    """An exporter on the container's database and warehouse, counting what it reads."""

    container: Container
    read: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.warehouse = CountingWarehouse(self.container.analytics_store.warehouse.root)
        ctx = replace(self.container.ctx, uow=self._uow)
        self.exporter = AnalyticsExporter(ctx, self.warehouse)

    @contextmanager
    def _uow(self) -> Iterator[SqlUnitOfWork]:
        with self.container.ctx.uow() as uow:
            assert isinstance(uow, SqlUnitOfWork)
            uow.analytics = CountingSource(uow.session, self.read)
            yield uow

    def export(self) -> tuple[dict[str, int], dict[str, int], list[str]]:
        """One export: the keys read from marks, every key read, the sink tables read."""
        self.read.clear()
        self.warehouse.keys_read.clear()
        self.exporter.run()
        since = {t: self.read[f"since:{t}"] for t in MARKED_TABLES}
        everything = {t: self.read[f"all:{t}"] for t in MARKED_TABLES if f"all:{t}" in self.read}
        return since, everything, list(self.warehouse.keys_read)


def _in_database(container: Container) -> dict[str, int]:
    with container.engine.connect() as connection:
        return {
            "purchases": connection.scalar(select(func.count()).select_from(PurchaseRow)) or 0,
            "entries": connection.scalar(select(func.count()).select_from(JournalEntryRow)) or 0,
            "postings": connection.scalar(select(func.count()).select_from(PostingRow)) or 0,
        }


def _exported(store: AnalyticsStore) -> dict[str, tuple[int, int]]:
    """Rows and distinct keys of purchases and postings: equal when nothing came twice."""
    (purchases,) = store.rows(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT purchase_id) AS k FROM purchases"
    )
    (postings,) = store.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT posting_id) AS k FROM postings")
    return {
        "purchases": (purchases["n"], purchases["k"]),
        "postings": (postings["n"], postings["k"]),
    }


def _forget_marks(warehouse: ParquetWarehouse) -> None:
    """The manifest as the export wrote it before marks: parts only."""
    manifest = warehouse.manifest()
    (warehouse.root / manifest.pop("marks")).unlink()
    (warehouse.root / "manifest.json").write_text(json.dumps(manifest))


def test_an_export_reads_the_new_rows_only_and_never_the_parquet_keys(
    container: Container,
) -> None:
    shop = build_shop(container)
    for number in range(20):  # a history well larger than what comes next
        sale(container, shop.b, 100 + number, "pos", "s1", f"H{number}")
    counted = Counted(container)
    since, everything, _ = counted.export()
    assert since == NOTHING  # the first export has no mark: it reads every key, once
    assert everything["purchases"] == 27

    sale(container, shop.c, 900, "pos", "s1", "N1")
    sale(container, shop.d, 700, "web", "e1", "N2")
    since, everything, parquet = counted.export()
    assert since == {**NOTHING, "purchases": 2, "postings": 2}  # two sales, one entry each
    assert (everything, parquet) == ({}, [])

    since, everything, parquet = counted.export()
    assert (since, everything, parquet) == (NOTHING, {}, [])
    database = _in_database(container)
    assert _exported(container.analytics_store) == {
        "purchases": (database["purchases"], database["purchases"]),
        "postings": (database["postings"], database["postings"]),
    }


def test_a_warehouse_exported_before_marks_is_brought_up_to_date_once(
    container: Container,
) -> None:
    shop = build_shop(container)
    container.analytics.export()
    warehouse = container.analytics_store.warehouse
    _forget_marks(warehouse)
    assert warehouse.marks() == Marks()
    sale(container, shop.a, 1_500, "pos", "s1", "U1")
    sale(container, shop.e, 2_500, "web", "e1", "U2")
    counted = Counted(container)

    since, everything, parquet = counted.export()
    database = _in_database(container)
    assert since == NOTHING
    assert sorted(parquet) == sorted(MARKED_TABLES)  # the old way, once: every table's keys
    assert everything["purchases"] == database["purchases"] == 9
    assert everything["postings"] == database["entries"]
    assert _exported(container.analytics_store) == {
        "purchases": (9, 9),
        "postings": (database["postings"], database["postings"]),
    }
    assert set(warehouse.marks().tables) == set(MARKED_TABLES)

    sale(container, shop.b, 500, "pos", "s1", "U3")
    since, everything, parquet = counted.export()
    assert (since["purchases"], everything, parquet) == (1, {}, [])
    assert _exported(container.analytics_store)["purchases"] == (10, 10)


def _another_witness(marks_file: Path) -> None:
    document = json.loads(marks_file.read_text())
    for mark in document.values():
        mark["witness"] = "another store"
    marks_file.write_text(json.dumps(document))


@pytest.mark.parametrize("lose", [_another_witness, Path.unlink], ids=["witness", "deleted"])
def test_a_mark_the_store_does_not_recognise_is_not_trusted(
    container: Container, lose: Callable[[Path], None]
) -> None:
    shop = build_shop(container)
    container.analytics.export()
    warehouse = container.analytics_store.warehouse
    lose(warehouse.root / warehouse.manifest()["marks"])
    sale(container, shop.c, 800, "pos", "s1", "W1")

    since, everything, parquet = Counted(container).export()
    assert since == NOTHING
    assert everything["purchases"] == 8
    assert sorted(parquet) == sorted(MARKED_TABLES)
    assert _exported(container.analytics_store)["purchases"] == (8, 8)


def test_a_stopped_export_leaves_the_marks_it_found(container: Container) -> None:
    shop = build_shop(container)
    container.analytics.export()
    warehouse = container.analytics_store.warehouse
    before = (warehouse.manifest()["marks"], warehouse.marks())
    sale(container, shop.c, 900, "pos", "s1", "X1")

    def stop(part: Staged) -> None:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        AnalyticsExporter(container.ctx, warehouse).run(on_staged=stop)
    assert (warehouse.manifest()["marks"], warehouse.marks()) == before

    since, _, parquet = Counted(container).export()
    assert (since["purchases"], parquet) == (1, [])
    assert _exported(container.analytics_store)["purchases"] == (8, 8)
    assert [path.name for path in (warehouse.root / "marks").iterdir()] == [
        Path(warehouse.manifest()["marks"]).name  # the last marks only
    ]


def test_sqlite_does_not_trust_a_mark_when_the_database_is_an_older_copy(
    container: Container, tmp_path: Path
) -> None:
    if container.engine.dialect.name != "sqlite":
        pytest.skip("rowids: SQLite only")
    shop = build_shop(container)
    database = Path(str(container.engine.url.database))
    container.engine.dispose()
    older = tmp_path / "older.db"
    older.write_bytes(database.read_bytes())  # a backup taken now
    sale(container, shop.c, 900, "pos", "s1", "L1")  # lost with the restore below
    container.analytics.export()
    container.engine.dispose()
    database.write_bytes(older.read_bytes())
    (database.parent / f"{database.name}-wal").unlink(missing_ok=True)
    sale(container, shop.d, 600, "pos", "s1", "R1")  # takes the rowid the lost sale had

    since, everything, _ = Counted(container).export()
    assert since == NOTHING  # the row at the mark is another one: back to the keys
    assert everything["purchases"] == 8
    (found,) = container.analytics_store.rows(
        "SELECT COUNT(*) AS n FROM purchases WHERE receipt_id = 'R1'"
    )
    assert found == {"n": 1}
