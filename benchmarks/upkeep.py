"""The analytics store's upkeep: exports and queries after many small exports, with and without
compaction, and an export with nothing new.

What it does (see docs/BENCHMARKS.md, "Analytics store upkeep"), in one fresh database
(SQLite in a temporary folder, or a fresh PostgreSQL database with ``--engine
postgresql``):

1. bulk-inserts ``--members`` members and a history of ``--purchases`` purchases (the
   rows of ``benchmarks/export.py``), applies the example programme, and exports it
   whole to two warehouses: one that never compacts, one with the default policy;
2. baseline, ``--repeats`` times: adds ``--new`` purchases and exports them to both;
   times the export to the warehouse that never compacts (a few parts per table) and
   a query over it (the ``kpis`` and ``points`` KPIs of the year);
3. ``--exports`` times: adds ``--new`` purchases and exports them to both (each export
   adds a part to purchases, their lines and postings, and now and then to events and
   returns), timing each export. The application's clock moves ``--every`` seconds at
   each export (so each warehouse exports every other tick): replaced parts are removed
   ten minutes after, as in a server asked that often, not kept for the whole run;
4. after them, ``--repeats`` times: the same export and query on both warehouses;
5. an export with nothing new (files written, members read), and the same export
   after the members' marker is lost (the members read and rewritten whole, which is
   what every export with nothing new cost before), and ``loyalo analytics compact``
   on the warehouse that never compacted;
6. checks that both warehouses hold every purchase and posting once, and prints the
   medians as ratios against the baselines.

    .venv/bin/python benchmarks/upkeep.py                   # 1,000 exports
    .venv/bin/python benchmarks/upkeep.py --exports 200     # a quick check
    .venv/bin/python benchmarks/upkeep.py --engine postgresql
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from benchmarks.export import EXAMPLE, History, analyse, database  # noqa: E402
from loyalo.adapters.analytics.compaction import NEVER, CompactionPolicy  # noqa: E402
from loyalo.adapters.analytics.parquet import ParquetWarehouse  # noqa: E402
from loyalo.adapters.analytics.store import AnalyticsStore  # noqa: E402
from loyalo.adapters.programme_files import load_programme  # noqa: E402
from loyalo.adapters.storage.engine import make_engine  # noqa: E402
from loyalo.application.analytics.export import AnalyticsExporter  # noqa: E402
from loyalo.application.analytics.parameters import query_parameters  # noqa: E402
from loyalo.bootstrap.container import Container, build  # noqa: E402
from loyalo.bootstrap.settings import Settings  # noqa: E402
from loyalo.domain.analytics.filters import KpiFilters, Period  # noqa: E402


class Ticking:
    """The application's clock, ``every`` seconds later at each reading: an export (which
    reads it once) every ``every`` seconds, so that replaced parts are retired, ten minutes
    after, as they would be in a server answering that often."""

    def __init__(self, every: float) -> None:
        self._at = datetime(2027, 1, 1, tzinfo=UTC)
        self._every = timedelta(seconds=every)

    def now(self) -> datetime:
        self._at += self._every
        return self._at


YEAR = query_parameters(Period(date(2026, 1, 1), date(2026, 12, 31)), KpiFilters())


@dataclass
class Warehouse:
    """One warehouse over the database, with its exporter and what its exports cost."""

    name: str
    exporter: AnalyticsExporter
    store: AnalyticsStore
    exports: list[float] = field(default_factory=list)
    compacting: list[float] = field(default_factory=list)

    def export(self) -> float:
        started = time.perf_counter()
        report = self.exporter.run()
        seconds = time.perf_counter() - started
        (self.compacting if report.compacted else self.exports).append(seconds)
        return seconds

    def query(self) -> float:
        started = time.perf_counter()
        self.store.run("kpis", YEAR)
        self.store.run("points", YEAR)
        return time.perf_counter() - started

    def parts(self) -> dict[str, int]:
        tables = self.store.warehouse.manifest()["tables"]
        return {table: len(entry["files"]) for table, entry in tables.items()}


def warehouse(container: Container, folder: Path, name: str, policy: CompactionPolicy) -> Warehouse:
    sink = ParquetWarehouse(folder / name, compaction=policy)
    return Warehouse(name, AnalyticsExporter(container.ctx, sink), AnalyticsStore(sink))


def files(root: Path) -> dict[str, tuple[int, int]]:
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    }


def written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> int:
    return sum(1 for path, stamp in after.items() if before.get(path) != stamp)


def median_of(repeats: int, work: Callable[[], float]) -> float:
    return statistics.median(work() for _ in range(repeats))


@dataclass(frozen=True)
class Idle:
    seconds: float
    files_written: int
    published: bool
    members_read_seconds: float
    members_read_files: int


def idle_exports(target: Warehouse, repeats: int) -> Idle:
    """An export with nothing new; then one after the members' marker and digest are lost,
    which reads every member and rewrites them whole, as every export did before."""
    root = target.store.warehouse.root
    before = files(root)
    seconds, published = [], False
    for _ in range(repeats):
        started = time.perf_counter()
        published = published or target.exporter.run().published
        seconds.append(time.perf_counter() - started)
    idle_written = written(before, files(root))
    forced, forced_written = [], []
    sink = target.store.warehouse
    for _ in range(repeats):
        marks = sink.marks()
        at = sink.state().exported_at
        assert at is not None
        assert marks.members is not None
        lost = replace(
            marks.members,
            changes=replace(marks.members.changes, witness="lost"),
            digest="lost",
        )
        sink.publish([], [], at, replace(marks, members=lost))
        ahead = files(root)
        started = time.perf_counter()
        target.exporter.run()
        forced.append(time.perf_counter() - started)
        forced_written.append(written(ahead, files(root)))
    return Idle(
        statistics.median(seconds),
        idle_written,
        published,
        statistics.median(forced),
        max(forced_written),
    )


def check(container: Container, targets: list[Warehouse]) -> None:
    """Every purchase and posting once in each warehouse, as many as the database holds."""
    with container.engine.connect() as connection:
        purchases = connection.execute(text("SELECT COUNT(*) FROM purchases")).scalar_one()
        postings = connection.execute(text("SELECT COUNT(*) FROM postings")).scalar_one()
    for target in targets:
        (row,) = target.store.rows(
            "SELECT (SELECT COUNT(*) FROM purchases) AS p, "
            "(SELECT COUNT(DISTINCT purchase_id) FROM purchases) AS pk, "
            "(SELECT COUNT(*) FROM postings) AS q, "
            "(SELECT COUNT(DISTINCT posting_id) FROM postings) AS qk"
        )
        assert row == {"p": purchases, "pk": purchases, "q": postings, "qk": postings}, row


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    with database(args.engine, folder, "upkeep") as url:
        engine = make_engine(url)
        history = History(engine, args.members, args.seed)
        history.add(args.purchases)
        if args.engine == "postgresql":
            analyse(engine)
        settings = Settings(data_dir=folder / "data", database_url=url)
        container = build(settings, clock=Ticking(args.every))
        with container.ctx.uow() as uow:
            programme = load_programme(EXAMPLE)
            container.programmes.apply(uow, programme, source=EXAMPLE.read_text(), actor="bench")
            uow.commit()
        plain = warehouse(container, folder, "never-compacted", NEVER)
        compacted = warehouse(container, folder, "compacted", CompactionPolicy())
        started = time.perf_counter()
        plain.export()
        first = time.perf_counter() - started
        compacted.export()

        def step() -> float:
            history.add(args.new)
            compacted.export()
            return plain.export()

        def plain_only() -> float:
            history.add(args.new)
            return plain.export()

        baseline = median_of(args.repeats, step)
        query_baseline = median_of(args.repeats, plain.query)
        plain.exports.clear()
        compacted.exports.clear()
        started = time.perf_counter()
        for _ in range(args.exports):
            history.add(args.new)
            plain.export()
            compacted.export()
        loop = time.perf_counter() - started
        during = {w.name: (list(w.exports), list(w.compacting)) for w in (plain, compacted)}
        after: dict[str, dict[str, float]] = {}
        for target in (plain, compacted):
            target.exports.clear()
            target.compacting.clear()
        for _ in range(args.repeats):
            history.add(args.new)
            plain.export()
            compacted.export()
        for target in (plain, compacted):
            after[target.name] = {
                "export": statistics.median(target.exports + target.compacting),
                "query": median_of(args.repeats, target.query),
            }
        parts = {w.name: w.parts() for w in (plain, compacted)}
        check(container, [plain, compacted])
        idle = idle_exports(compacted, args.repeats)
        # the operator's command on the same files, then exports with the default policy
        plain = warehouse(container, folder, plain.name, CompactionPolicy())
        started = time.perf_counter()
        merged = plain.exporter.compact()
        compact_seconds = time.perf_counter() - started
        after["compacted by the command"] = {
            "export": median_of(args.repeats, plain_only),
            "query": median_of(args.repeats, plain.query),
        }
        compacted.export()
        check(container, [plain, compacted])
        container.close()
        engine.dispose()
    return {
        "first": first,
        "baseline": baseline,
        "query_baseline": query_baseline,
        "loop": loop,
        "during": during,
        "after": after,
        "parts": parts,
        "idle": idle,
        "merged": merged,
        "compact_seconds": compact_seconds,
        "rows": history.rows,
    }


def report(args: argparse.Namespace, found: dict[str, Any]) -> None:
    base, query_base = found["baseline"], found["query_baseline"]
    print(
        f"Upkeep benchmark ({args.engine}): {args.members:,} members, {args.purchases:,} "
        f"purchases, then {args.exports:,} exports of {args.new:,} new purchases each, one "
        f"every {args.every:g} s on the application's clock; "
        f"medians of {args.repeats}; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, shared (load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(f"  first export {found['first']:.2f} s; the exports took {found['loop']:.1f} s")
    print(f"  baseline: a small export, few parts: {base:.3f} s; the query {query_base:.3f} s")
    header = ("after the exports", "parts", "export", "÷ base", "query", "÷ base")
    print("  {:<26} {:>6} {:>9} {:>7} {:>9} {:>7}".format(*header))
    for name, figures in found["after"].items():
        parts = found["parts"].get(name, {}).get("purchases", "")
        print(
            f"  {name:<26} {parts!s:>6} {figures['export']:>8.3f}s "
            f"{figures['export'] / base:>7.2f} {figures['query']:>8.3f}s "
            f"{figures['query'] / query_base:>7.2f}"
        )
    for name, (plain, compacting) in found["during"].items():
        tenth = max(len(plain) // 10, 1)
        early, late = statistics.median(plain[:tenth]), statistics.median(plain[-tenth:])
        merging = (
            f"median {statistics.median(compacting):.3f} s, max {max(compacting):.3f} s"
            if compacting
            else "none"
        )
        print(
            f"  during, {name}: the first {tenth} exports {early:.3f} s, the last {tenth} "
            f"{late:.3f} s (÷ first {late / early:.2f}); {len(compacting)} compacted ({merging})"
        )
    print(f"  parts at the end: {found['parts']}")
    idle: Idle = found["idle"]
    print(
        f"  nothing new: {idle.seconds:.4f} s (÷ base {idle.seconds / base:.3f}), "
        f"files written {idle.files_written}, published {idle.published}"
    )
    print(
        "  nothing new, members read and rewritten whole (as before): "
        f"{idle.members_read_seconds:.3f} s (÷ base {idle.members_read_seconds / base:.2f}), "
        f"files written {idle.members_read_files}"
    )
    merged = ", ".join(f"{c.table} {c.parts_before}→{c.parts_after}" for c in found["merged"])
    rewritten = sum(c.rows for c in found["merged"])
    seconds = found["compact_seconds"]
    print(f"  loyalo analytics compact: {seconds:.2f} s, {rewritten:,} rows: {merged}")
    print(f"  rows at the end: {found['rows']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=20_000, help="the history")
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--exports", type=int, default=1_000)
    parser.add_argument("--new", type=int, default=10, help="purchases added per export")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between exports")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=20261208)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loyalo-upkeep-") as scratch:
        found = run(args, Path(scratch))
    report(args, found)


if __name__ == "__main__":
    main()
