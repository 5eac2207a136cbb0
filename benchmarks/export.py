"""The analytics export after a large history: does finding what is new grow with it?

What it does (see docs/BENCHMARKS.md, "Analytics export"), for two histories, one
ten times the other (``--purchases`` and a tenth of it), each in a fresh database
(SQLite in a temporary folder, or a fresh PostgreSQL database with ``--engine
postgresql``) with the same ``--members``:

1. bulk-inserts the history (SQLAlchemy Core executemany into the real tables, as
   ``benchmarks/backtest.py`` does): purchases of 1 to 3 lines, an earn entry of
   two postings per purchase, an event for one purchase in ten, a return for one
   in fifty; every choice from one seeded generator; on PostgreSQL, then ``ANALYZE``
   (a database that grew over months has the statistics autovacuum keeps);
2. exports it whole (the first export);
3. ``--repeats`` times: adds ``--new`` purchases the same way, times the old
   algorithm's search for them in the same state (every key of the store minus
   every key in the Parquet parts; finding only, writing nothing), then the
   incremental export that finds and writes them, then an export with nothing
   new (the marks only: it reads no member and writes no file);
4. checks that the store holds every purchase and posting once, and prints the
   medians as ratios against the incremental export over the smaller history,
   measured in the same run (a ratio near 1 at ten times the history: the cost
   does not depend on it).

    .venv/bin/python benchmarks/export.py                       # 200,000 and 20,000
    .venv/bin/python benchmarks/export.py --purchases 20000     # a quick check
    .venv/bin/python benchmarks/export.py --engine postgresql
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import Engine, Table, create_engine, insert, text  # noqa: E402

from loyalo.adapters.analytics.parquet import ParquetWarehouse  # noqa: E402
from loyalo.adapters.programme_files import load_programme  # noqa: E402
from loyalo.adapters.storage.engine import make_engine, sqlite_url  # noqa: E402
from loyalo.adapters.storage.migrate import upgrade  # noqa: E402
from loyalo.adapters.storage.rules_state import MemberEventRow  # noqa: E402
from loyalo.adapters.storage.tables import (  # noqa: E402
    JournalEntryRow,
    MemberRow,
    PostingRow,
    PurchaseLineRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.application.analytics.ports import MARKED_TABLES  # noqa: E402
from loyalo.bootstrap.container import Container, build  # noqa: E402
from loyalo.bootstrap.settings import Settings  # noqa: E402

EXAMPLE = ROOT / "programmes" / "example.yaml"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
START = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 10_000
NO_HASH = "0" * 64  # the ledger is not verified here: only the export reads these rows


def _table(row: type[Any]) -> Table:
    return cast(Table, row.__table__)


class History:
    """Writes members and purchases (lines, earn entries, events, returns) in bulk."""

    def __init__(self, engine: Engine, members: int, seed: int) -> None:
        self._engine = engine
        self._rng = random.Random(seed)
        self._members = [self._id() for _ in range(members)]
        self._seq = dict.fromkeys(self._members, 0)
        self._receipts = 0
        self.rows = {"purchases": 0, "entries": 0, "postings": 0, "events": 0, "returns": 0}
        joined = START - timedelta(days=30)
        self._write(
            MemberRow,
            [
                {
                    "member_id": member,
                    "card_number": f"8900{n:012d}",
                    "created_at": joined,
                    "updated_at": joined,
                    "attributes": {},
                }
                for n, member in enumerate(self._members)
            ],
        )

    def add(self, purchases: int) -> None:
        for first in range(0, purchases, BATCH):
            self._batch(min(BATCH, purchases - first))

    def _id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def _batch(self, count: int) -> None:
        rows: dict[type[Any], list[dict[str, Any]]] = {
            PurchaseRow: [],
            PurchaseLineRow: [],
            JournalEntryRow: [],
            PostingRow: [],
            MemberEventRow: [],
            PurchaseReturnRow: [],
        }
        for _ in range(count):
            self._purchase(rows)
        for row, values in rows.items():
            if values:
                self._write(row, values)
        self.rows["purchases"] += count
        self.rows["entries"] += len(rows[JournalEntryRow])
        self.rows["postings"] += len(rows[PostingRow])
        self.rows["events"] += len(rows[MemberEventRow])
        self.rows["returns"] += len(rows[PurchaseReturnRow])

    def _purchase(self, rows: dict[type[Any], list[dict[str, Any]]]) -> None:
        rng = self._rng
        member, purchase_id, entry_id = rng.choice(self._members), self._id(), self._id()
        at = START + timedelta(seconds=rng.randrange(365 * 24 * 3600))
        prices = [rng.choice((450, 990, 2990, 8990)) for _ in range(rng.randint(1, 3))]
        total = sum(prices)
        self._receipts += 1
        self._seq[member] += 1
        rows[PurchaseRow].append(
            {
                "purchase_id": purchase_id,
                "member_id": member,
                "store_id": "waw-01",
                "receipt_id": f"R{self._receipts:09d}",
                "channel": "pos",
                "occurred_at": at,
                "currency": "PLN",
                "total_minor": total,
                "points_earned": total // 100,
                "fingerprint": "",
                "entry_id": entry_id,
                "programme_version": 1,
                "discount_minor": 0,
            }
        )
        rows[PurchaseLineRow].extend(
            {
                "purchase_id": purchase_id,
                "line_no": number,
                "sku": f"SKU{price}",
                "name": None,
                "category": None,
                "quantity": 1,
                "unit_price_minor": price,
                "discount_minor": 0,
                "labels": None,
                "delivery": False,
            }
            for number, price in enumerate(prices)
        )
        rows[JournalEntryRow].append(
            {
                "entry_id": entry_id,
                "member_id": member,
                "seq": self._seq[member],
                "kind": "earn",
                "occurred_at": at,
                "recorded_at": at,
                "channel": "pos",
                "store_id": "waw-01",
                "source_type": "purchase",
                "source_id": purchase_id,
                "reason": None,
                "actor": None,
                "programme_version": 1,
                "rule_id": "base",
                "extra": None,
                "prev_hash": NO_HASH,
                "hash": NO_HASH,
            }
        )
        points = total // 100
        rows[PostingRow].extend(
            {"entry_id": entry_id, "member_id": member, "account": account, "points": signed}
            for account, signed in (("issuance", -points), ("wallet", points))
        )
        if rng.random() < 0.1:
            rows[MemberEventRow].append(self._event(member, at))
        if rng.random() < 0.02:
            rows[PurchaseReturnRow].append(
                {
                    "return_id": self._id(),
                    "purchase_id": purchase_id,
                    "occurred_at": at + timedelta(days=3),
                    "value_minor": prices[0],
                    "points_taken": 0,
                    "debt_points": 0,
                    "line_quantities": {"0": 1},
                    "entry_id": None,
                }
            )

    def _event(self, member: str, at: datetime) -> dict[str, Any]:
        return {
            "event_id": self._id(),
            "member_id": member,
            "event_key": None,
            "name": "review_posted",
            "attributes": {},
            "channel": "app",
            "occurred_at": at,
            "recorded_at": at,
            "programme_version": 1,
            "points": 0,
        }

    def _write(self, row: type[Any], values: list[dict[str, Any]]) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(_table(row)), values)


@contextmanager
def database(engine_name: str, folder: Path, label: str) -> Iterator[str]:
    """A fresh, migrated database; its URL."""
    if engine_name == "sqlite":
        url = sqlite_url(folder / f"{label}.db")
    else:
        name = f"loyalo_bench_export_{label}_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        url = f"{PG_SERVER}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        if engine_name != "sqlite":
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin(*statements: str) -> None:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def analyse(engine: Engine) -> None:
    """Statistics, as autovacuum keeps them on a database that grew over months: a bulk load
    read at once has none, and the planner then scans whole tables for a range of txid."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def key_difference(container: Container, warehouse: ParquetWarehouse) -> int:
    """The old search, in one snapshot: every key of the store minus every key exported."""
    with container.ctx.uow() as uow:
        source = uow.analytics
        source.pin_snapshot()
        return sum(len(source.keys(t) - warehouse.exported_keys(t)) for t in MARKED_TABLES)


@dataclass(frozen=True)
class Figures:
    history: int
    seeding: float
    first: float
    idle: float
    incremental: float
    search: float
    rows: dict[str, int]


def measure(args: argparse.Namespace, purchases: int, folder: Path) -> Figures:
    label = f"h{purchases}"
    with database(args.engine, folder, label) as url:
        engine = make_engine(url)
        history = History(engine, args.members, args.seed)
        seeding, _ = timed(lambda: history.add(purchases))
        if args.engine == "postgresql":
            analyse(engine)
        container = build(Settings(data_dir=folder / label, database_url=url))
        with container.ctx.uow() as uow:
            programme = load_programme(EXAMPLE)
            container.programmes.apply(
                uow, programme, source=EXAMPLE.read_text(), actor="benchmark"
            )
            uow.commit()
        warehouse = container.analytics_store.warehouse
        first, _ = timed(container.analytics.export)
        incremental, search, idle = [], [], []
        for _ in range(args.repeats):
            before = dict(history.rows)
            history.add(args.new)
            new = sum(history.rows[k] - before[k] for k in history.rows if k != "postings")
            seconds, found = timed(lambda: key_difference(container, warehouse))
            assert found == new, (found, new)
            search.append(seconds)
            seconds, report = timed(container.analytics.export)
            assert report.rows["purchases"] == args.new
            incremental.append(seconds)
            seconds, report = timed(container.analytics.export)
            assert (report.rows, report.published) == ({}, False)
            idle.append(seconds)
        _check(container, history)
        container.close()
        engine.dispose()
    return Figures(
        purchases,
        seeding,
        first,
        statistics.median(idle),
        statistics.median(incremental),
        statistics.median(search),
        history.rows,
    )


def _check(container: Container, history: History) -> None:
    """Every purchase and posting in the store once."""
    (row,) = container.analytics_store.rows(
        "SELECT (SELECT COUNT(*) FROM purchases) AS p, "
        "(SELECT COUNT(DISTINCT purchase_id) FROM purchases) AS pk, "
        "(SELECT COUNT(*) FROM postings) AS q, "
        "(SELECT COUNT(DISTINCT posting_id) FROM postings) AS qk"
    )
    expected = {
        "p": history.rows["purchases"],
        "pk": history.rows["purchases"],
        "q": history.rows["postings"],
        "qk": history.rows["postings"],
    }
    assert row == expected, (row, expected)


def report(args: argparse.Namespace, small: Figures, large: Figures) -> None:
    base = small.incremental
    print(
        f"Export benchmark ({args.engine}): {args.members:,} members; {args.new:,} new purchases "
        f"per export, median of {args.repeats}; Python {platform.python_version()}, "
        f"{platform.machine()}, {os.cpu_count()} cores, shared (load average "
        f"{os.getloadavg()[0]:.1f})"
    )
    print(
        f"  {'history (purchases)':>20} {'seeding':>9} {'first':>9} {'nothing new':>12} "
        f"{'incremental':>12} {'old search':>11}"
    )
    for f in (small, large):
        print(
            f"  {f.history:>20,} {f.seeding:>8.2f}s {f.first:>8.2f}s {f.idle:>11.3f}s "
            f"{f.incremental:>11.3f}s {f.search:>10.3f}s"
        )
    print(f"  rows at the end ({large.history:,}): {large.rows}")
    print(f"  baseline: the incremental export over {small.history:,} purchases, {base:.3f} s")
    print(f"  incremental over {large.history:,} ÷ baseline: {large.incremental / base:.2f}")
    print(f"  old search alone over {small.history:,} ÷ baseline: {small.search / base:.2f}")
    print(f"  old search alone over {large.history:,} ÷ baseline: {large.search / base:.2f}")
    print(
        f"  old search alone ÷ incremental export, over {large.history:,}: "
        f"{large.search / large.incremental:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=200_000, help="the larger history")
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--new", type=int, default=1_000, help="purchases added per export")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loyalo-export-") as scratch:
        folder = Path(scratch)
        small = measure(args, args.purchases // 10, folder)
        large = measure(args, args.purchases, folder)
    report(args, small, large)


if __name__ == "__main__":
    main()
