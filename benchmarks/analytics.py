"""The KPI suite on 10 million synthetic purchases, against one raw DuckDB scan of the same data.

What it does (see docs/BENCHMARKS.md, "Analytics"):

1. generates a synthetic store straight to Parquet (``analytics_data.py``: members,
   purchases, their ledger postings, redemptions, expiries, events, non-member sales),
   or reuses one already generated (``--data``);
2. finds the columns the suite reads: every column of every table whose removal makes
   some query of the suite fail to bind (DuckDB is asked on empty tables of the schema);
3. times, in each of ``--rounds`` rounds, on the same store (``AnalyticsStore``, views over
   the manifest's Parquet files):
   - the raw scan: ``SELECT count(*), sum(total_minor) FROM purchases``;
   - the full scan: one pass over those columns, each table read once, every value summed
     (a string's byte length, a time's microseconds) so that DuckDB must read them all;
   - the KPI suite: every query of ``adapters/analytics/queries`` once, for 2025, no filters
     (the KPI families, the matched baseline's strata and joiners, the report's queries);
4. prints each one's best round, wall time and process CPU time (DuckDB's threads
   included: the machine is shared, CPU time moves less with the load), the suite total
   and the ratios. The goal: the suite within 3x the full scan.

    .venv/bin/python benchmarks/analytics.py                      # 10,000,000 purchases
    .venv/bin/python benchmarks/analytics.py --purchases 1000000 --rounds 1
    .venv/bin/python benchmarks/analytics.py --keys int           # the scratch schema variant
    .venv/bin/python benchmarks/analytics.py --data /tmp/store    # generate once, keep, reuse
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analytics_data import KEYS, generate, int_schemas  # noqa: E402
from loyalo.adapters.analytics.queries import QUERIES, render  # noqa: E402
from loyalo.adapters.analytics.schema import SCHEMAS, TIME  # noqa: E402
from loyalo.adapters.analytics.store import AnalyticsStore  # noqa: E402
from loyalo.application.analytics.parameters import query_parameters  # noqa: E402
from loyalo.domain.analytics.filters import KpiFilters, Period  # noqa: E402

RAW_SCAN = "SELECT count(*) AS purchases, sum(total_minor) AS total FROM purchases"
PARAMETERS = query_parameters(
    Period(date(2025, 1, 1), date(2025, 12, 31)),
    KpiFilters(),
    window_days=90,
    horizon=datetime(2026, 1, 1, tzinfo=UTC),  # exported when the year is over
)


def columns_read(schemas: Mapping[str, pa.Schema], sqls: list[str]) -> dict[str, list[str]]:
    """The columns some query reads: those without which it no longer binds.

    Asked of DuckDB on empty tables of the schema, one column hidden at a time, so the
    list follows the SQL as it changes (a ``SELECT *`` whose columns are never used
    afterwards reads nothing, and binds without them)."""
    connection = duckdb.connect(":memory:")
    for table, schema in schemas.items():
        connection.register(f"full_{table}", schema.empty_table())
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM full_{table}")
    read: dict[str, list[str]] = {}
    for table, schema in schemas.items():
        for column in schema.names:
            connection.execute(
                f"CREATE OR REPLACE VIEW {table} AS SELECT * EXCLUDE ({column}) FROM full_{table}"
            )
            if not all(_binds(connection, sql) for sql in sqls):
                read.setdefault(table, []).append(column)
        connection.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM full_{table}")
    connection.close()
    return read


def _binds(connection: duckdb.DuckDBPyConnection, sql: str) -> bool:
    try:
        connection.execute(f"EXPLAIN {sql}")
    except duckdb.BinderException:
        return False
    return True


def full_scan_sql(schemas: Mapping[str, pa.Schema], read: Mapping[str, list[str]]) -> str:
    """One pass over each table the suite reads, summing every value of those columns:
    no aggregate that file statistics could answer without reading (min, max, count)."""

    def total(table: str, column: str) -> str:
        kind = schemas[table].field(column).type
        if kind == TIME:
            return f"sum(epoch_us({column}))"
        if pa.types.is_string(kind):
            return f"sum(strlen({column}))"
        return f"sum({column})"

    passes = [
        f"(SELECT count(*) + {' + '.join(total(table, c) for c in columns)} FROM {table})"
        f" AS {table}"
        for table, columns in read.items()
    ]
    return "SELECT " + ", ".join(passes)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def clocked(into: dict[str, list[tuple[float, float]]], name: str) -> Iterator[None]:
    """Adds (wall, CPU) seconds of the block to ``into[name]``."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    yield
    into.setdefault(name, []).append((time.perf_counter() - wall, cpu_seconds() - cpu))


def one_round(
    store: AnalyticsStore, full_scan: str, times: dict[str, list[tuple[float, float]]]
) -> None:
    with clocked(times, "raw scan"):
        store.rows(RAW_SCAN)
    with clocked(times, "full scan"):
        store.rows(full_scan)
    with clocked(times, "KPI suite"):
        for name in QUERIES:
            with clocked(times, name):
                store.run(name, PARAMETERS)


def best(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return min(samples)  # the least disturbed round, by wall time


def report(times: dict[str, list[tuple[float, float]]], say: Callable[[str], None]) -> None:
    rows = [
        ("raw scan (count(*), sum(total_minor) of purchases)", "raw scan"),
        ("full scan (every column the suite reads, once)", "full scan"),
        *((f"  {name}", name) for name in QUERIES),
        (f"KPI suite, {len(QUERIES)} queries", "KPI suite"),
    ]
    say(f"{'the best of the rounds, each':<52} {'wall s':>9} {'CPU s':>9}")
    for label, key in rows:
        wall, cpu = best(times[key])
        say(f"{label:<52} {wall:9.3f} {cpu:9.3f}")
    (suite, suite_cpu), (full, full_cpu) = best(times["KPI suite"]), best(times["full scan"])
    raw, raw_cpu = best(times["raw scan"])
    say(
        f"suite / full scan {suite / full:6.1f}x wall {suite_cpu / full_cpu:6.1f}x CPU (goal <= 3x)"
    )
    say(f"suite / raw scan  {suite / raw:6.0f}x wall {suite_cpu / raw_cpu:6.0f}x CPU")
    rounds = ", ".join(f"{wall:.2f}" for wall, _ in times["KPI suite"])
    say(f"suite wall time per round: {rounds} s")


def _schemas(root: Path) -> dict[str, pa.Schema]:
    """The store's schemas, or the int variant's when its keys are integers."""
    (first, *_) = AnalyticsStore.at(root).warehouse.files("purchases")
    member_id = pq.read_schema(first).field("member_id").type
    return int_schemas() if pa.types.is_integer(member_id) else dict(SCHEMAS)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def run(root: Path, arguments: argparse.Namespace) -> None:
    if not (root / "manifest.json").exists():
        began = time.perf_counter()
        generate(root, arguments.purchases, arguments.seed, arguments.keys)
        print(f"generated in {time.perf_counter() - began:.1f} s ({arguments.keys} keys)")
    else:
        print(f"reusing the store at {root}: its own size and keys, whatever the arguments")
    schemas = _schemas(root)
    read = columns_read(schemas, [render(name, PARAMETERS) for name in QUERIES])
    for table, columns in read.items():
        print(f"  the suite reads {table}: {', '.join(columns)}")
    full_scan = full_scan_sql(schemas, read)
    store = AnalyticsStore.at(root)
    store.rows(full_scan)  # warm the page cache for all, fairly
    print(f"load average before: {load()}")
    times: dict[str, list[tuple[float, float]]] = {}
    for number in range(arguments.rounds):
        one_round(store, full_scan, times)
        print(f"  round {number + 1}: suite {times['KPI suite'][-1][0]:.2f} s", flush=True)
    print(f"load average after: {load()}")
    report(times, print)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--purchases", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--keys", choices=KEYS, default="uuid")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, help="generate here once, reuse afterwards")
    arguments = parser.parse_args()
    if arguments.data is not None:
        run(arguments.data, arguments)
        return
    with tempfile.TemporaryDirectory(prefix="loyalo-analytics-bench-") as folder:
        run(Path(folder) / "analytics", arguments)


if __name__ == "__main__":
    main()
