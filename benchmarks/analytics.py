"""The KPI suite on 10 million synthetic purchases, against one raw DuckDB scan of them.

What it does (see docs/BENCHMARKS.md, "Analytics"):

1. generates, vectorised with numpy and written straight to Parquet in the
   analytics store's layout (not through the services): members, purchases,
   their ledger postings (an earn entry per purchase, redemptions, expiries),
   events and non-member sales;
2. runs every query of ``adapters/analytics/queries`` (the KPI families: members'
   activity, points, redeemers, members vs non-members, spend around joining, the
   matched baseline's strata and joiners, campaigns; and the report's cohorts, RFM
   and points by month) for one year, each once, timed as a whole;
3. runs one raw scan of the same purchases: ``SELECT count(*), sum(total_minor)``, and a
   second baseline that reads, once, every column of every table the suite reads;
4. prints the times and the ratios (the goal: the suite within 3x the raw scan).

    .venv/bin/python benchmarks/analytics.py                      # 10,000,000 purchases
    .venv/bin/python benchmarks/analytics.py --purchases 1000000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from loyalo.adapters.analytics.parquet import ParquetWarehouse  # noqa: E402
from loyalo.adapters.analytics.queries import QUERIES  # noqa: E402
from loyalo.adapters.analytics.schema import SCHEMAS  # noqa: E402
from loyalo.adapters.analytics.store import AnalyticsStore  # noqa: E402
from loyalo.application.analytics.ports import Marks, Staged  # noqa: E402
from loyalo.application.analytics.service import query_parameters  # noqa: E402
from loyalo.domain.analytics.filters import KpiFilters, Period  # noqa: E402

CHUNK = 1_000_000
YEAR_START = np.datetime64("2025-01-01T00:00:00", "us")
YEAR_US = 365 * 86_400 * 1_000_000
STORES = np.array([f"store-{i:02d}" for i in range(20)])
CHANNELS = np.array(["pos", "web", "app"])


def _ids(prefix: str, start: int, count: int) -> pa.Array:
    numbers = np.arange(start, start + count).astype(str)
    return pa.array(np.char.add(prefix, np.char.zfill(numbers, 9)))


def _times(rng: np.random.Generator, count: int) -> pa.Array:
    return pa.array(YEAR_START + rng.integers(0, YEAR_US, count).astype("timedelta64[us]"))


def _constant(value: object, count: int, kind: pa.DataType) -> pa.Array:
    return pa.array(np.full(count, value), type=kind)


def _table(name: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.table([columns[f.name].cast(f.type) for f in schema], schema=schema)


def members(rng: np.random.Generator, count: int) -> pa.Table:
    created = (
        YEAR_START
        - np.timedelta64(365, "D")
        + rng.integers(0, 2 * YEAR_US, count).astype("timedelta64[us]")
    )
    return _table(
        "members",
        {
            "member_id": _ids("m", 0, count),
            "created_at": pa.array(created),
            "tier_id": pa.array(rng.choice(np.array(["bronze", "silver", "gold"]), count)),
            "flags": pa.array(np.where(rng.random(count) < 0.1, "|vip|", "")),
        },
    )


def purchases(
    rng: np.random.Generator, start: int, count: int, member_ids: pa.Array
) -> tuple[pa.Table, pa.Table]:
    """A chunk of purchases and the postings of their earn entries."""
    who = pa.array(rng.integers(0, len(member_ids), count))
    member = member_ids.take(who)
    total = rng.integers(500, 50_000, count)
    at = _times(rng, count)
    store = pa.array(rng.choice(STORES, count))
    channel = pa.array(rng.choice(CHANNELS, count))
    ids = _ids("p", start, count)
    bought = _table(
        "purchases",
        {
            "purchase_id": ids,
            "member_id": member,
            "store_id": store,
            "receipt_id": ids,
            "channel": channel,
            "occurred_at": at,
            "currency": _constant("PLN", count, pa.string()),
            "total_minor": pa.array(total),
            "discount_minor": _constant(0, count, pa.int64()),
            "paid_minor": pa.array(total),
            "points_earned": pa.array(total // 100),
        },
    )
    points = total // 100
    postings = _postings(
        start, member, channel, store, ids, at, points, "earn", "issuance", "wallet"
    )
    return bought, postings


def _postings(
    start: int,
    member: pa.Array,
    channel: pa.Array,
    store: pa.Array,
    source: pa.Array,
    at: pa.Array,
    points: np.ndarray,
    kind: str,
    debit: str,
    credit: str,
) -> pa.Table:
    """Two postings per entry: ``debit`` -points, ``credit`` +points."""
    count = len(points)
    twice = pa.array(np.repeat(np.arange(count), 2))
    entries = _ids(f"{kind[0]}", start, count)
    signed = np.empty(2 * count, dtype=np.int64)
    signed[0::2], signed[1::2] = -points, points
    accounts = np.tile(np.array([debit, credit]), count)
    return _table(
        "postings",
        {
            "posting_id": pa.array(np.arange(2 * start, 2 * (start + count))),
            "entry_id": entries.take(twice),
            "member_id": member.take(twice),
            "seq": _constant(1, 2 * count, pa.int64()),
            "account": pa.array(accounts),
            "points": pa.array(signed),
            "kind": _constant(kind, 2 * count, pa.string()),
            "channel": channel.take(twice),
            "store_id": store.take(twice),
            "source_type": _constant(
                "purchase" if kind == "earn" else kind, 2 * count, pa.string()
            ),
            "source_id": source.take(twice),
            "rule_id": _constant("base-rate" if kind == "earn" else "", 2 * count, pa.string()),
            "programme_version": _constant(1, 2 * count, pa.int64()),
            "occurred_at": at.take(twice),
            "recorded_at": at.take(twice),
        },
    )


def redemptions(
    rng: np.random.Generator, start: int, count: int, member_ids: pa.Array, kind: str
) -> pa.Table:
    member = member_ids.take(pa.array(rng.integers(0, len(member_ids), count)))
    channel = pa.array(rng.choice(CHANNELS, count))
    store = pa.array(rng.choice(STORES, count))
    credit = "redemption" if kind == "redeem" else "breakage"
    points = rng.integers(10, 200, count)
    ids = _ids(kind[0:2], start, count)
    at = _times(rng, count)
    return _postings(start, member, channel, store, ids, at, points, kind, "wallet", credit)


def events(rng: np.random.Generator, count: int, member_ids: pa.Array) -> pa.Table:
    at = _times(rng, count)
    return _table(
        "events",
        {
            "event_id": _ids("v", 0, count),
            "member_id": member_ids.take(pa.array(rng.integers(0, len(member_ids), count))),
            "name": _constant("review_posted", count, pa.string()),
            "channel": pa.array(rng.choice(CHANNELS, count)),
            "occurred_at": at,
            "recorded_at": at,
            "points": _constant(50, count, pa.int64()),
        },
    )


def non_member_sales(rng: np.random.Generator, count: int) -> pa.Table:
    keys = _ids("n", 0, count)
    return _table(
        "non_member_sales",
        {
            "sale_key": keys,
            "run_id": _constant("bench", count, pa.string()),
            "line_no": pa.array(np.arange(count)),
            "store_id": pa.array(rng.choice(STORES, count)),
            "receipt_id": _ids("r", 0, count // 3 + 1).take(pa.array(np.arange(count) // 3)),
            "occurred_at": _times(rng, count),
            "sku": _constant("SKU", count, pa.string()),
            "quantity": pa.array(rng.integers(1, 5, count)),
            "unit_price_minor": pa.array(rng.integers(100, 5_000, count)),
            "currency": _constant("PLN", count, pa.string()),
            "country": _constant("PL", count, pa.string()),
        },
    )


def generate(root: Path, total: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    warehouse = ParquetWarehouse(root)
    member_count = max(total // 20, 1_000)
    people = members(rng, member_count)
    staged: list[Staged] = [warehouse.stage_arrow("members", people)]
    member_ids = people.column("member_id").combine_chunks()
    for start in range(0, total, CHUNK):
        count = min(CHUNK, total - start)
        bought, postings = purchases(rng, start, count, member_ids)
        staged += [warehouse.stage_arrow("purchases", bought)]
        staged += [warehouse.stage_arrow("postings", postings)]
        print(f"  {start + count:>12,} purchases written", flush=True)
    offset = total
    for kind, share in (("redeem", 20), ("expiry", 40)):
        count = total // share
        staged.append(
            warehouse.stage_arrow("postings", redemptions(rng, offset, count, member_ids, kind))
        )
        offset += count
    staged.append(warehouse.stage_arrow("events", events(rng, total // 10, member_ids)))
    staged.append(warehouse.stage_arrow("non_member_sales", non_member_sales(rng, total // 5)))
    warehouse.publish(staged, ["members"], datetime.now(UTC), Marks())  # no database behind it


def timed_suite(store: AnalyticsStore) -> tuple[float, dict[str, float]]:
    parameters = query_parameters(
        Period(datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date()),
        KpiFilters(),
        window_days=90,
        horizon=datetime(2026, 1, 1, tzinfo=UTC),  # exported when the year is over
    )
    each: dict[str, float] = {}
    started = time.perf_counter()
    for name in QUERIES:
        began = time.perf_counter()
        store.run(name, parameters)
        each[name] = time.perf_counter() - began
    return time.perf_counter() - started, each


def timed_scan(store: AnalyticsStore) -> tuple[float, list[dict[str, object]]]:
    started = time.perf_counter()
    rows = store.rows("SELECT count(*) AS purchases, sum(total_minor) AS total FROM purchases")
    return time.perf_counter() - started, rows


def timed_full_scan(store: AnalyticsStore) -> float:
    """A second baseline: one pass over every column the suite reads, in every table."""
    started = time.perf_counter()
    store.rows(
        "SELECT (SELECT count(DISTINCT member_id) + sum(paid_minor) + count(DISTINCT purchase_id)"
        " FROM purchases) AS p, (SELECT count(DISTINCT member_id) + sum(points)"
        " FROM postings) AS x, (SELECT count(DISTINCT member_id) FROM events) AS e,"
        " (SELECT sum(quantity * unit_price_minor) FROM non_member_sales) AS n"
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20261201)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loyalo-analytics-bench-") as folder:
        root = Path(folder) / "analytics"
        began = time.perf_counter()
        generate(root, arguments.purchases, arguments.seed)
        print(f"generated in {time.perf_counter() - began:.1f} s")
        store = AnalyticsStore.at(root)
        timed_scan(store)  # warm the page cache for both, fairly
        scan, rows = timed_scan(store)
        full = timed_full_scan(store)
        suite, each = timed_suite(store)
        for name, seconds in each.items():
            print(f"  {name:<24} {seconds:8.3f} s")
        print(f"raw scan   {scan:8.3f} s  {rows[0]}")
        print(f"KPI suite  {suite:8.3f} s  ({len(each)} queries)")
        print(f"full scan  {full:8.3f} s  (every table, the columns the suite reads)")
        print(f"ratio      {suite / scan:8.1f}x  the raw scan (goal: <= 3x)")
        print(f"ratio      {suite / full:8.1f}x  the full scan")


if __name__ == "__main__":
    main()
