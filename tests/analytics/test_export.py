"""The export is incremental and exactly once, and a stopped export shows nothing of itself."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.adapters.storage.tables import PostingRow, PurchaseLineRow, PurchaseRow
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import Staged
from loyalo.bootstrap.container import Container
from tests.analytics.support import START, build_shop, sale
from tests.programme.support import enrol
from tests.support.clock import FakeClock

FACTS = ["purchases", "purchase_lines", "returns", "return_lines", "events", "postings"]
KEYS = {
    "purchases": "purchase_id",
    "purchase_lines": "purchase_id || '/' || CAST(line_no AS VARCHAR)",
    "returns": "return_id",
    "return_lines": "return_id || '/' || CAST(line_no AS VARCHAR)",
    "events": "event_id",
    "postings": "posting_id",
    "members": "member_id",
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


class Stop(Exception):
    pass


def _counts(store: AnalyticsStore) -> dict[str, tuple[int, int]]:
    """Each table's rows and distinct keys: equal when nothing was written twice."""
    found = {}
    for table, key in KEYS.items():
        (row,) = store.rows(f"SELECT COUNT(*) AS n, COUNT(DISTINCT {key}) AS k FROM {table}")
        found[table] = (row["n"], row["k"])
    return found


def _database(container: Container) -> dict[str, int]:
    with container.engine.connect() as connection:
        return {
            "purchases": connection.scalar(select(func.count()).select_from(PurchaseRow)) or 0,
            "purchase_lines": connection.scalar(select(func.count()).select_from(PurchaseLineRow))
            or 0,
            "postings": connection.scalar(select(func.count()).select_from(PostingRow)) or 0,
        }


def test_a_second_export_writes_only_what_is_new_and_each_row_once(
    container: Container, tmp_path: Path
) -> None:
    shop = build_shop(container)
    first = container.analytics.export()
    store = container.analytics_store
    after_first = _counts(store)
    assert first.rows["purchases"] == 7
    assert first.rows["postings"] == _database(container)["postings"]
    assert all(rows == keys for rows, keys in after_first.values())

    sale(container, shop.b, 1_200, "web", "e1", "N1")
    sale(container, shop.e, 800, "pos", "s2", "N2")
    second = container.analytics.export()
    assert second.rows["purchases"] == 2
    assert second.rows["purchase_lines"] == 2
    assert second.rows["postings"] == 4  # two earn entries of two postings
    assert set(second.rows) == {"purchases", "purchase_lines", "postings"}  # members as they were
    after_second = _counts(store)
    database = _database(container)
    for table in ("purchases", "purchase_lines", "postings"):
        assert after_second[table] == (database[table], database[table])
    assert after_second["members"] == (5, 5)

    third = container.analytics.export()
    assert (third.rows, third.published) == ({}, False)
    assert _counts(store) == after_second


def test_members_are_rewritten_with_their_current_flags(container: Container) -> None:
    member = enrol(container)
    container.analytics.export()
    store = container.analytics_store
    assert store.rows("SELECT flags FROM members") == [{"flags": ""}]
    with container.ctx.uow() as uow:
        container.members.update(
            uow, f"id:{member.member_id}", {"attributes": {"flags": ["vip", "b2b"]}}
        )
        uow.commit()
    container.analytics.export()
    assert store.rows("SELECT flags FROM members") == [{"flags": "|b2b|vip|"}]


def test_an_export_stopped_while_writing_leaves_the_previous_state_readable(
    container: Container, tmp_path: Path
) -> None:
    shop = build_shop(container)
    container.analytics.export()
    store = container.analytics_store
    before = _counts(store)
    manifest = (store.warehouse.root / "manifest.json").read_text()
    sale(container, shop.c, 900, "pos", "s1", "X1")

    def stop(part: Staged) -> None:
        if part.table == "postings":
            raise Stop

    exporter = AnalyticsExporter(container.ctx, store.warehouse)
    with pytest.raises(Stop):
        exporter.run(on_staged=stop)
    assert _counts(store) == before
    assert (store.warehouse.root / "manifest.json").read_text() == manifest

    exporter.run()
    after = _counts(store)
    assert after["purchases"] == (before["purchases"][0] + 1, before["purchases"][1] + 1)
    assert after["postings"][0] == after["postings"][1] == before["postings"][0] + 2
    assert not list(store.warehouse.root.glob("*/.staging-*"))


def test_an_export_stopped_while_publishing_shows_nothing_of_itself(
    container: Container, tmp_path: Path
) -> None:
    shop = build_shop(container)
    root = container.analytics_store.warehouse.root
    container.analytics.export()
    store = container.analytics_store
    before = _counts(store)
    sale(container, shop.c, 900, "pos", "s1", "X1")
    renamed: list[Path] = []

    def stop_after_two(path: Path) -> None:
        renamed.append(path)
        if len(renamed) == 2:
            raise Stop

    stopping = AnalyticsExporter(container.ctx, ParquetWarehouse(root, after_rename=stop_after_two))
    with pytest.raises(Stop):
        stopping.run()
    assert all(path.exists() for path in renamed)  # in place, but not in the manifest
    assert _counts(store) == before

    AnalyticsExporter(container.ctx, ParquetWarehouse(root)).run()
    after = _counts(store)
    for table in FACTS:
        assert after[table][0] == after[table][1]
    assert after["purchases"][0] == before["purchases"][0] + 1
    assert not any(path.exists() for path in renamed)  # swept by the next publish


def test_a_store_never_exported_answers_with_empty_tables(tmp_path: Path) -> None:
    store = AnalyticsStore.at(tmp_path / "nothing")
    assert _counts(store) == dict.fromkeys(KEYS, (0, 0))


def test_replaced_member_files_stay_for_queries_already_reading_them(
    container: Container, clock: FakeClock
) -> None:
    enrol(container)
    container.analytics.export()
    warehouse = container.analytics_store.warehouse
    (first,) = warehouse.files("members")
    enrol(container)
    container.analytics.export()
    assert first not in warehouse.files("members")
    assert first.exists()  # a query started before the publish may still read it
    clock.advance(timedelta(minutes=11))
    enrol(container)
    container.analytics.export()
    assert not first.exists()
    assert len(warehouse.manifest()["retired"]) == 1  # the second export's, not yet due
