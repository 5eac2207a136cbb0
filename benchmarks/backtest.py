"""The backtest at scale: a year of synthetic purchases replayed under two programmes.

What it does (see docs/BENCHMARKS.md, "Backtest"):

1. creates a fresh SQLite database in a temporary directory and migrates it, as
   ``loyalo db upgrade`` does, then bulk-inserts (SQLAlchemy Core executemany into
   the real tables) ``--members`` members with their enrolment events and
   ``--purchases`` purchases spread over 2026 (written in time order, as tills and
   imports write them), 1 to 6 lines each, and a return for about one purchase in
   fifty; every choice comes from one seeded generator;
2. applies ``programmes/example.yaml`` as the live programme and builds a
   candidate from it: the same, with double points at weekends;
3. times the baseline: a plain streaming scan of the same purchases and lines
   through the same reader (``SqlHistoryReader.purchases``, rows made into
   purchases), which is the floor any replay starts from;
4. times ``loyalo programme simulate``'s use case (``BacktestService.run``) of the
   candidate against the live programme over the year, in one process and in two
   (one side each; ``--processes``), checks that both give the same comparison,
   and prints the time, the purchases per second and the ratio to the baseline.

    .venv/bin/python benchmarks/backtest.py                      # 1 000 000 purchases
    .venv/bin/python benchmarks/backtest.py --purchases 50000    # a quick check
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import threading
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import Engine, Table, insert  # noqa: E402

from loyalo.adapters.programme_files import load_programme  # noqa: E402
from loyalo.adapters.storage.engine import make_engine, sqlite_url  # noqa: E402
from loyalo.adapters.storage.history_reader import SqlHistorySource  # noqa: E402
from loyalo.adapters.storage.migrate import upgrade  # noqa: E402
from loyalo.adapters.storage.rules_state import MemberEventRow  # noqa: E402
from loyalo.adapters.storage.tables import (  # noqa: E402
    MemberRow,
    PurchaseLineRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.application.simulation.service import BacktestRequest  # noqa: E402
from loyalo.bootstrap.container import build  # noqa: E402
from loyalo.bootstrap.settings import Settings  # noqa: E402
from loyalo.domain.programme.document import ProgrammeDocument, Rule  # noqa: E402

EXAMPLE = ROOT / "programmes" / "example.yaml"
YEAR_START = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Warsaw"))  # the example's zone
BATCH = 20_000
CATEGORIES = ("coffee", "coffee", "food", "shop", "tea", None)


def _table(row: type[Any]) -> Table:
    return cast(Table, row.__table__)


def _ids(rng: random.Random, count: int) -> list[str]:
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def _catalogue(rng: random.Random) -> list[tuple[str, int, str | None]]:
    """500 SKUs: (sku, unit price in grosz, category)."""
    return [
        (
            f"SKU{n:04d}",
            rng.choice((450, 900, 1290, 1990, 2990, 4990, 8990, 14900)),
            rng.choice(CATEGORIES),
        )
        for n in range(500)
    ]


def _insert(engine: Engine, table: Table, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(table), rows)


def seed(engine: Engine, purchases: int, members: int, seed: int) -> tuple[int, int]:
    """Bulk-insert the history; returns (lines, returns) inserted."""
    rng = random.Random(seed)
    member_ids = _ids(rng, members)
    joined = YEAR_START - timedelta(days=30)
    _insert(
        engine,
        _table(MemberRow),
        [
            {
                "member_id": member_id,
                "card_number": f"8900{n:012d}",
                "created_at": joined,
                "updated_at": joined,
                "attributes": {},
            }
            for n, member_id in enumerate(member_ids)
        ],
    )
    _insert(
        engine,
        _table(MemberEventRow),
        [
            {
                "event_id": event_id,
                "member_id": member_id,
                "event_key": "member_enrolled",
                "name": "member_enrolled",
                "attributes": {},
                "channel": "system",
                "occurred_at": joined,
                "recorded_at": joined,
                "programme_version": 1,
                "points": 50,
            }
            for member_id, event_id in zip(member_ids, _ids(rng, members), strict=True)
        ],
    )
    catalogue = _catalogue(rng)
    seconds = 365 * 24 * 3600
    # in time order, as tills and imports write them: the table is laid out by time
    everything = sorted(rng.randrange(seconds) for _ in range(purchases))
    lines_in_all = returns_in_all = 0
    for first in range(0, purchases, BATCH):
        count = min(BATCH, purchases - first)
        moments = everything[first : first + count]
        heads, lines, returns = [], [], []
        for number, (purchase_id, second) in enumerate(
            zip(_ids(rng, count), moments, strict=True), start=first
        ):
            at = YEAR_START + timedelta(seconds=second)
            basket = [rng.choice(catalogue) for _ in range(rng.randint(1, 6))]
            quantities = [rng.choice((1, 1, 1, 2, 3)) for _ in basket]
            total = sum(
                price * quantity for (_, price, _), quantity in zip(basket, quantities, strict=True)
            )
            heads.append(
                {
                    "purchase_id": purchase_id,
                    "member_id": rng.choice(member_ids),
                    "store_id": "waw-01",
                    "receipt_id": f"R{number:08d}",
                    "channel": "pos",
                    "occurred_at": at,
                    "currency": "PLN",
                    "total_minor": total,
                    "points_earned": 0,
                    "fingerprint": "",
                    "entry_id": None,
                    "programme_version": 1,
                    "discount_minor": 0,
                }
            )
            lines.extend(
                {
                    "purchase_id": purchase_id,
                    "line_no": index,
                    "sku": sku,
                    "name": None,
                    "category": category,
                    "quantity": quantity,
                    "unit_price_minor": price,
                    "discount_minor": 0,
                    "labels": None,
                    "delivery": False,
                }
                for index, ((sku, price, category), quantity) in enumerate(
                    zip(basket, quantities, strict=True)
                )
            )
            if rng.random() < 0.02:
                returned_at = at + timedelta(days=rng.randint(1, 13))
                returns.append(
                    {
                        "return_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "purchase_id": purchase_id,
                        "occurred_at": returned_at,
                        "value_minor": basket[0][1],
                        "points_taken": 0,
                        "debt_points": 0,
                        "line_quantities": {"0": 1},
                        "entry_id": None,
                    }
                )
        _insert(engine, _table(PurchaseRow), heads)
        _insert(engine, _table(PurchaseLineRow), lines)
        if returns:
            _insert(engine, _table(PurchaseReturnRow), returns)
        lines_in_all += len(lines)
        returns_in_all += len(returns)
        print(f"\r  seeded {first + count:,} purchases", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return lines_in_all, returns_in_all


class PeakMemory:
    """This process's resident memory, sampled while a replay runs (Linux; else nothing)."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        status = Path("/proc/self/status")
        while not self._done.wait(0.2):
            if not status.exists():
                return
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))


def weekend_doubled(live: ProgrammeDocument) -> ProgrammeDocument:
    weekend = Rule.model_validate(
        {
            "id": "weekend-x2",
            "name": "Double points at weekends",
            "schedule": {"days": ["sat", "sun"]},
            "effect": {"type": "multiplier", "factor": 2},
        }
    )
    return live.model_copy(update={"rules": [*live.rules, weekend]})


def scan(source: SqlHistorySource, until: datetime) -> tuple[int, int]:
    """The baseline: every purchase and its lines, streamed and built, nothing more."""
    purchases = lines = 0
    with source() as reader:
        for purchase in reader.purchases(until):
            purchases += 1
            lines += len(purchase.lines)
    return purchases, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--purchases", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument(
        "--processes",
        choices=("1", "2", "both", "auto"),
        default="both",
        help="time the replay in one process, two, both (default), or as the CLI chooses",
    )
    parser.add_argument(
        "--database", type=Path, help="Keep the database here (default: a temp dir)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="loyalo-backtest-") as scratch:
        path = args.database or Path(scratch) / "backtest.db"
        engine = make_engine(sqlite_url(path))
        upgrade(engine)
        started = time.perf_counter()
        lines, returns = seed(engine, args.purchases, args.members, args.seed)
        seeded = time.perf_counter() - started
        engine.dispose()

        container = build(Settings(data_dir=Path(scratch), database_url=sqlite_url(path)))
        live = load_programme(EXAMPLE)
        with container.ctx.uow() as uow:
            container.programmes.apply(uow, live, source=EXAMPLE.read_text(), actor="benchmark")
            uow.commit()
        until = datetime(2027, 1, 1, tzinfo=YEAR_START.tzinfo)
        source = SqlHistorySource(container.engine)

        started = time.perf_counter()
        scanned, scanned_lines = scan(source, until)
        baseline = time.perf_counter() - started
        scan_load = os.getloadavg()[0]
        assert (scanned, scanned_lines) == (args.purchases, lines)

        modes = {"1": [1], "2": [2], "both": [1, 2], "auto": [None]}[args.processes]
        timings: list[tuple[str, float, float, int]] = []  # mode, s, load after, peak kB
        comparison = None
        for processes in modes:
            request = BacktestRequest(
                weekend_doubled(live),
                date(2026, 1, 1),
                date(2026, 12, 31),
                processes=processes,
            )
            started = time.perf_counter()
            with PeakMemory() as memory:
                result = container.backtest.run(request)
            elapsed = time.perf_counter() - started
            timings.append((_mode(processes), elapsed, os.getloadavg()[0], memory.peak_kb))
            assert comparison is None or result == comparison  # one or two processes: the same
            comparison = result
        container.close()

    assert comparison is not None
    live_side, candidate = comparison.live, comparison.candidate
    assert live_side.purchases == args.purchases == candidate.purchases
    print(
        f"Backtest benchmark: {args.purchases:,} purchases ({lines:,} lines, {returns:,} returns), "
        f"{args.members:,} members; Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores, shared"
    )
    print(f"  seeding (bulk insert, not timed below): {seeded:.1f} s")
    print(
        f"  baseline, streaming scan of purchases and lines: {baseline:.2f} s "
        f"({args.purchases / baseline:,.0f} purchases/s) (load average {scan_load:.1f})"
    )
    goal = 30.0 * args.purchases / 1_000_000
    for mode, elapsed, load, peak_kb in timings:
        print(
            f"  simulate, weekend x2 vs the example, {mode}: {elapsed:.2f} s "
            f"({args.purchases / elapsed:,.0f} purchases/s, "
            f"{elapsed / args.purchases * 1e6:.0f} µs each), "
            f"{elapsed / baseline:.1f}x the baseline (load average {load:.1f}); "
            f"this process's memory at most {peak_kb / 1024:,.0f} MB"
        )
    print(
        f"  points: live {live_side.net_points:,}, candidate {candidate.net_points:,} "
        f"({candidate.net_points - live_side.net_points:+,}); total cost "
        f"{live_side.total_cost} -> {candidate.total_cost} {comparison.currency}"
    )
    best = min(elapsed for _, elapsed, _, _ in timings)
    verdict = "met" if best <= goal else "NOT met"
    print(f"  goal: 30 s per 1 M purchases ({goal:.1f} s at this size): {verdict}")


def _mode(processes: int | None) -> str:
    if processes is None:
        return "as the CLI runs it"
    return "one process" if processes == 1 else "two processes"


if __name__ == "__main__":
    main()
