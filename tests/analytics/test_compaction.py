"""Compaction merges a table's small parts, keeps every row and the marks, and shows the old
parts or the new ones whatever stops it.

A history is exported in many small exports to a warehouse that never compacts
(``NEVER``), so that every table holds a part per export; the warehouse is then
compacted, by an operator or by an export, and every table is read before and after.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from loyalo.adapters.analytics.compaction import NEVER, CompactionPolicy
from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import TABLES, Compaction
from loyalo.application.events import EventCommand
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from tests.analytics.support import START, Shop, build_shop, sale
from tests.programme.support import give_back
from tests.support.clock import FakeClock

EVERY_THIRD = CompactionPolicy(small_rows=1_000, max_small_parts=3)
ROUNDS = 6


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


class Stop(Exception):
    pass


def _exporter(container: Container, root: Path, **options: Any) -> AnalyticsExporter:
    return AnalyticsExporter(container.ctx, ParquetWarehouse(root, **options))


def _round(container: Container, shop: Shop, number: int) -> None:
    """A sale; every other round its return and a review event too."""
    bought = sale(container, shop.b, 1_000 + number, "pos", "s1", f"R{number}")
    if number % 2 == 0:
        give_back(container, bought.purchase.purchase_id)
        command = EventCommand(member=f"id:{shop.b.member_id}", name="review_posted")
        with container.ctx.uow() as uow:
            container.events.record(uow, command)
            uow.commit()


def _history(container: Container) -> tuple[Path, Shop]:
    """The shop, exported once, then ``ROUNDS`` rounds each exported on its own."""
    shop = build_shop(container)
    root = container.analytics_store.warehouse.root
    never = _exporter(container, root, compaction=NEVER)
    never.run()
    for number in range(ROUNDS):
        _round(container, shop, number)
        never.run()
    return root, shop


def _everything(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in one order."""
    store = AnalyticsStore.at(root)
    with store.connection() as connection:
        return {t: connection.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def _parts(root: Path) -> dict[str, int]:
    manifest = ParquetWarehouse(root).manifest()
    return {table: len(entry["files"]) for table, entry in manifest["tables"].items()}


def _strays(root: Path) -> list[str]:
    """Parquet files neither listed nor retired."""
    manifest = ParquetWarehouse(root).manifest()
    kept = {f"{t}/{f}" for t, entry in manifest["tables"].items() for f in entry["files"]}
    kept |= {r["path"] for r in manifest.get("retired", [])}
    found = {str(path.relative_to(root)) for path in root.glob("*/*.parquet")}
    found |= {str(path.relative_to(root)) for path in root.glob("*/.staging-*")}
    return sorted(found - kept)


# the shop's export, then a part per round: a sale (its lines, its earn entry) in each,
# a return (its lines, its entry) and an event in rounds 0, 2 and 4
PARTS = {
    "purchases": 1 + ROUNDS,
    "purchase_lines": 1 + ROUNDS,
    "postings": 1 + ROUNDS,
    "returns": 1 + 3,
    "return_lines": 1 + 3,
    "events": 1 + 3,
    "members": 1,
}


def test_compaction_keeps_every_row_of_every_table_and_the_marks(container: Container) -> None:
    root, shop = _history(container)
    assert _parts(root) == PARTS
    before = _everything(root)
    warehouse = ParquetWarehouse(root)
    manifest, marks, state = warehouse.manifest(), warehouse.marks(), warehouse.state()

    compacted = _exporter(container, root).compact()
    rows = {table: len(found) for table, found in before.items()}
    assert compacted == [
        Compaction(table, PARTS[table], 1, rows[table])
        for table in TABLES
        if PARTS.get(table, 0) > 1
    ]
    assert _parts(root) == dict.fromkeys(PARTS, 1)
    assert _everything(root) == before
    assert (warehouse.marks(), warehouse.manifest()["marks"]) == (marks, manifest["marks"])
    assert warehouse.state() == state  # the same rows, exported at the same moment
    assert _strays(root) == []

    assert _exporter(container, root).compact() == []  # nothing left to merge
    sale(container, shop.c, 700, "pos", "s1", "AFTER")
    report = container.analytics.export()
    assert report.rows["purchases"] == 1  # the marks still say where the export stands
    (count,) = container.analytics_store.rows(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT purchase_id) AS k FROM purchases"
    )
    assert count == {"n": rows["purchases"] + 1, "k": rows["purchases"] + 1}


def test_exports_compact_a_table_once_its_small_parts_pile_up(container: Container) -> None:
    shop = build_shop(container)
    root = container.analytics_store.warehouse.root
    exporter = _exporter(container, root, compaction=EVERY_THIRD)
    exporter.run()
    seen: list[dict[str, tuple[int, int]]] = []
    for number in range(ROUNDS):
        _round(container, shop, number)
        report = exporter.run()
        seen.append({c.table: (c.parts_before, c.parts_after) for c in report.compacted})
        assert all(parts < 3 for parts in _parts(root).values())
    # purchases: 1 part, +1 = 2, +1 = 3 → 1, 2, 3 → 1, ...; returns and events every other round
    assert seen == [
        {},
        {"purchases": (3, 1), "purchase_lines": (3, 1), "postings": (3, 1)},
        {"returns": (3, 1), "return_lines": (3, 1), "events": (3, 1)},
        {"purchases": (3, 1), "purchase_lines": (3, 1), "postings": (3, 1)},
        {},
        {"purchases": (3, 1), "purchase_lines": (3, 1), "postings": (3, 1)},
    ]
    store = container.analytics_store
    (purchases,) = store.rows(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT purchase_id) AS k FROM purchases"
    )
    assert purchases == {"n": 7 + ROUNDS, "k": 7 + ROUNDS}
    (postings,) = store.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT posting_id) AS k FROM postings")
    assert postings["n"] == postings["k"]
    assert _strays(root) == []


def _stop_at(step: int) -> Callable[[Path], None]:
    calls = [0]

    def stop(path: Path) -> None:
        calls[0] += 1
        if calls[0] == step:
            raise Stop

    return stop


Work = Callable[[Path, Callable[[Path], None] | None], object]
"""A publish on the warehouse at a root, told each file it renames into place."""


def _steps(root: Path, work: Work, scratch: Path) -> int:
    """How many files ``work`` renames into place, the manifest last, on a copy of ``root``."""
    copy = shutil.copytree(root, scratch / "probe")
    renamed: list[Path] = []
    work(copy, renamed.append)
    assert renamed[-1].name == "manifest.json"
    return len(renamed)


def test_a_compaction_stopped_at_any_step_shows_the_old_parts_or_the_new(
    container: Container, tmp_path: Path, clock: FakeClock
) -> None:
    root, _ = _history(container)
    before, manifest = _everything(root), (root / "manifest.json").read_text()

    def compact(at: Path, hook: Callable[[Path], None] | None = None) -> object:
        return ParquetWarehouse(at, after_rename=hook).compact(clock.now())

    steps = _steps(root, compact, tmp_path)
    assert steps == len([t for t in PARTS if PARTS[t] > 1]) + 1  # a part per table, the manifest
    for step in range(1, steps + 1):
        copy = shutil.copytree(root, tmp_path / f"step-{step}")
        with pytest.raises(Stop):
            compact(copy, _stop_at(step))
        assert _everything(copy) == before, step  # never a row lost or doubled
        if step < steps:
            assert (copy / "manifest.json").read_text() == manifest, step  # the old parts
        else:
            assert _parts(copy) == dict.fromkeys(PARTS, 1)  # the new ones
        compact(copy)  # done again, or nothing left to do
        assert _parts(copy) == dict.fromkeys(PARTS, 1)
        assert _everything(copy) == before
        assert _strays(copy) == [], step


def test_an_export_stopped_while_it_compacts_shows_the_old_state_or_the_new(
    container: Container, tmp_path: Path, clock: FakeClock
) -> None:
    root, shop = _history(container)  # seven parts of purchases and more: due for EVERY_THIRD
    before = _everything(root)
    manifest = (root / "manifest.json").read_text()
    sale(container, shop.d, 900, "pos", "s1", "NEW")

    def export(at: Path, hook: Callable[[Path], None] | None = None) -> object:
        warehouse = ParquetWarehouse(at, after_rename=hook, compaction=EVERY_THIRD)
        return AnalyticsExporter(container.ctx, warehouse).run()

    steps = _steps(root, export, tmp_path)
    # the three new parts (a purchase, its line, its entry), a merged part per table, the manifest
    assert steps == 3 + len([t for t in PARTS if PARTS[t] > 1]) + 1
    for step in range(1, steps + 1):
        copy = shutil.copytree(root, tmp_path / f"step-{step}")
        with pytest.raises(Stop):
            export(copy, _stop_at(step))
        if step < steps:
            assert (copy / "manifest.json").read_text() == manifest, step
            assert _everything(copy) == before, step
        else:
            assert _receipts(copy)["NEW"] == 1
        export(copy)
        assert _receipts(copy) == {**_receipts(root), "NEW": 1}, step  # written once
        assert all(parts < 3 for parts in _parts(copy).values())
        assert _strays(copy) == [], step


def _receipts(root: Path) -> dict[str, int]:
    rows = AnalyticsStore.at(root).rows(
        "SELECT receipt_id, COUNT(*) AS n FROM purchases GROUP BY receipt_id"
    )
    return {row["receipt_id"]: row["n"] for row in rows}


def test_merged_parts_stay_for_queries_already_reading_them(
    container: Container, clock: FakeClock
) -> None:
    root, shop = _history(container)
    old = ParquetWarehouse(root).files("purchases")  # a query that began before
    expected = duckdb.sql(f"SELECT COUNT(*) FROM read_parquet({[str(p) for p in old]})").fetchall()
    _exporter(container, root).compact()
    assert (
        duckdb.sql(f"SELECT COUNT(*) FROM read_parquet({[str(p) for p in old]})").fetchall()
        == expected
    )

    clock.advance(timedelta(minutes=11))
    sale(container, shop.c, 700, "pos", "s1", "LATER")
    container.analytics.export()  # the next publish, past the ten minutes
    assert not any(path.exists() for path in old)
    assert _strays(root) == []


def test_a_manifest_without_part_rows_is_compacted_from_the_files_footers(
    container: Container,
) -> None:
    root, _ = _history(container)
    before = _everything(root)
    manifest = json.loads((root / "manifest.json").read_text())
    for entry in manifest["tables"].values():
        entry.pop("part_rows")
    (root / "manifest.json").write_text(json.dumps(manifest))

    compacted = _exporter(container, root).compact()
    assert {c.table: c.parts_before for c in compacted} == {t: n for t, n in PARTS.items() if n > 1}
    assert _everything(root) == before
    sizes = ParquetWarehouse(root).manifest()["tables"]["purchases"]["part_rows"]
    assert list(sizes.values()) == [len(before["purchases"])]


def test_the_cli_compacts_with_a_table_or_json(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    root, _ = _history(container)
    before = _everything(root)
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}
    assert root == tmp_path / "analytics"
    runner = CliRunner()
    result = runner.invoke(app, ["analytics", "compact", "--json"], env=env)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["root"] == str(root)
    assert document["compacted"]["purchases"] == {
        "parts_before": PARTS["purchases"],
        "parts_after": 1,
        "rows": len(before["purchases"]),
    }
    assert set(document["compacted"]) == {t for t, n in PARTS.items() if n > 1}
    assert _everything(root) == before

    again = runner.invoke(app, ["analytics", "compact"], env=env)
    assert again.exit_code == 0, again.output
    assert "Nothing to compact" in again.stdout
