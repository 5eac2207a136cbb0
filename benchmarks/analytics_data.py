"""The analytics benchmark's synthetic store: numpy-generated, written straight to Parquet.

Not through the services: members, purchases, the postings of their earn entries,
redemptions, expiries, events and non-member sales, in the analytics store's layout
(a part per table and chunk, then one manifest). The draws (who buys, when, where, how
much) come from one seeded generator and do not depend on how keys are spelled, so
the three ``KEYS`` styles hold the same history:

- ``uuid``: 36-character UUID strings, as the export writes them (the default);
- ``short``: 10-character strings (``m000000042``), what this benchmark used until
  2026-12; DuckDB keeps strings of up to 12 bytes inline, so these flatter strings;
- ``int``: a scratch variant of the schema (``int_schemas``), not the store's: member,
  purchase and source keys as int64 surrogates, to measure what they would give.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from loyalo.adapters.analytics.compaction import NEVER
from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.schema import SCHEMAS
from loyalo.application.analytics.ports import Marks, Staged

CHUNK = 1_000_000
YEAR_START = np.datetime64("2025-01-01T00:00:00", "us")
YEAR_US = 365 * 86_400 * 1_000_000
STORES = np.array([f"store-{i:02d}" for i in range(20)])
CHANNELS = np.array(["pos", "web", "app"])
KEYS = ("uuid", "short", "int")
INT_KEYS = {
    "purchases": ("purchase_id", "member_id"),
    "postings": ("member_id", "source_id"),
    "events": ("member_id",),
    "members": ("member_id",),
}
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_DIGITS = [i for i in range(36) if i not in (8, 13, 18, 23)]


def int_schemas() -> dict[str, pa.Schema]:
    """The store's schemas with the member, purchase and source keys as int64."""
    schemas = dict(SCHEMAS)
    for table, columns in INT_KEYS.items():
        schema = schemas[table]
        for column in columns:
            schema = schema.set(schema.get_field_index(column), pa.field(column, pa.int64()))
        schemas[table] = schema
    return schemas


def uuids(kind: str, start: int, count: int) -> pa.Array:
    """``count`` version-4 UUID strings, the same for the same (kind, start)."""
    rng = np.random.default_rng([uuid.uuid5(uuid.NAMESPACE_OID, kind).int % 2**63, start])
    raw = rng.integers(0, 256, size=(count, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = _HEX[np.stack([raw >> 4, raw & 0x0F], axis=2).reshape(count, 32)]
    text = np.full((count, 36), ord("-"), dtype=np.uint8)
    text[:, _UUID_DIGITS] = digits
    offsets = np.arange(0, 36 * (count + 1), 36, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), count, [None, pa.py_buffer(offsets), pa.py_buffer(text.tobytes())]
    )


@dataclass(frozen=True)
class Keys:
    """How the keys of one kind of row (members, purchases, entries ...) are spelled."""

    style: str

    def make(self, kind: str, start: int, count: int) -> pa.Array:
        if self.style == "int" and kind in ("member", "purchase", "redeem", "expiry"):
            return pa.array(np.arange(start, start + count, dtype=np.int64))
        if self.style == "short":
            numbers = np.arange(start, start + count).astype(str)
            return pa.array(np.char.add(kind[0], np.char.zfill(numbers, 9)))
        return uuids(kind, start, count)


def _times(rng: np.random.Generator, count: int) -> pa.Array:
    return pa.array(YEAR_START + rng.integers(0, YEAR_US, count).astype("timedelta64[us]"))


def _constant(value: object, count: int, kind: pa.DataType) -> pa.Array:
    return pa.array(np.full(count, value), type=kind)


class Generator:
    """Writes one synthetic store; ``publish`` makes it visible."""

    def __init__(self, root: Path, keys: str, seed: int) -> None:
        if keys not in KEYS:
            raise ValueError(f"keys must be one of {KEYS}")
        self.warehouse = ParquetWarehouse(root, compaction=NEVER)  # its parts as written
        self.keys = Keys(keys)
        self.schemas = int_schemas() if keys == "int" else SCHEMAS
        self.rng = np.random.default_rng(seed)
        self.staged: list[Staged] = []

    def stage(self, name: str, columns: dict[str, pa.Array]) -> None:
        """A part file of ``name``, written aside as the warehouse does (``stage_arrow``
        would refuse the int variant's schema)."""
        schema = self.schemas[name]
        data = pa.table([columns[f.name].cast(f.type) for f in schema], schema=schema)
        if self.keys.style != "int":
            self.staged.append(self.warehouse.stage_arrow(name, data))
            return
        folder = self.warehouse.root / name
        folder.mkdir(parents=True, exist_ok=True)
        part = f".staging-{uuid.uuid4().hex}.parquet"
        pq.write_table(data, folder / part)
        self.staged.append(Staged(name, part, data.num_rows))

    def members(self, count: int) -> pa.Array:
        created = (
            YEAR_START
            - np.timedelta64(365, "D")
            + self.rng.integers(0, 2 * YEAR_US, count).astype("timedelta64[us]")
        )
        ids = self.keys.make("member", 0, count)
        self.stage(
            "members",
            {
                "member_id": ids,
                "created_at": pa.array(created),
                "tier_id": pa.array(self.rng.choice(np.array(["bronze", "silver", "gold"]), count)),
                "flags": pa.array(np.where(self.rng.random(count) < 0.1, "|vip|", "")),
            },
        )
        return ids

    def purchases(self, start: int, count: int, member_ids: pa.Array) -> None:
        """A chunk of purchases and the postings of their earn entries."""
        member = member_ids.take(pa.array(self.rng.integers(0, len(member_ids), count)))
        total = self.rng.integers(500, 50_000, count)
        at = _times(self.rng, count)
        store = pa.array(self.rng.choice(STORES, count))
        channel = pa.array(self.rng.choice(CHANNELS, count))
        ids = self.keys.make("purchase", start, count)
        self.stage(
            "purchases",
            {
                "purchase_id": ids,
                "member_id": member,
                "store_id": store,
                "receipt_id": ids.cast(pa.string()),
                "channel": channel,
                "occurred_at": at,
                "currency": _constant("PLN", count, pa.string()),
                "total_minor": pa.array(total),
                "discount_minor": _constant(0, count, pa.int64()),
                "paid_minor": pa.array(total),
                "points_earned": pa.array(total // 100),
            },
        )
        sale = Sale(member, channel, store, at)
        self.postings(start, sale, ids, total // 100, "earn", ("issuance", "wallet"))

    def postings(
        self,
        start: int,
        sale: Sale,
        source: pa.Array,
        points: np.ndarray,
        kind: str,
        accounts: tuple[str, str],
    ) -> None:
        """Two postings per entry: the first account -points, the second +points."""
        count = len(points)
        twice = pa.array(np.repeat(np.arange(count), 2))
        signed = np.empty(2 * count, dtype=np.int64)
        signed[0::2], signed[1::2] = -points, points

        def same(value: object, kind: pa.DataType = pa.string()) -> pa.Array:
            return _constant(value, 2 * count, kind)

        self.stage(
            "postings",
            {
                "posting_id": pa.array(np.arange(2 * start, 2 * (start + count))),
                "entry_id": self.keys.make(f"entry-{kind}", start, count).take(twice),
                "member_id": sale.member.take(twice),
                "seq": same(1, pa.int64()),
                "account": pa.array(np.tile(np.array(accounts), count)),
                "points": pa.array(signed),
                "kind": same(kind),
                "channel": sale.channel.take(twice),
                "store_id": sale.store.take(twice),
                "source_type": same("purchase" if kind == "earn" else kind),
                "source_id": source.take(twice),
                "rule_id": same("base-rate" if kind == "earn" else ""),
                "programme_version": same(1, pa.int64()),
                "occurred_at": sale.at.take(twice),
                "recorded_at": sale.at.take(twice),
            },
        )

    def spending(self, start: int, count: int, member_ids: pa.Array, kind: str) -> None:
        """Redemptions (``redeem``) or expiries (``expiry``) out of members' wallets."""
        member = member_ids.take(pa.array(self.rng.integers(0, len(member_ids), count)))
        channel = pa.array(self.rng.choice(CHANNELS, count))
        store = pa.array(self.rng.choice(STORES, count))
        credit = "redemption" if kind == "redeem" else "breakage"
        points = self.rng.integers(10, 200, count)
        source = self.keys.make(kind, start, count)
        sale = Sale(member, channel, store, _times(self.rng, count))
        self.postings(start, sale, source, points, kind, ("wallet", credit))

    def events(self, count: int, member_ids: pa.Array) -> None:
        at = _times(self.rng, count)
        self.stage(
            "events",
            {
                "event_id": self.keys.make("event", 0, count),
                "member_id": member_ids.take(
                    pa.array(self.rng.integers(0, len(member_ids), count))
                ),
                "name": _constant("review_posted", count, pa.string()),
                "channel": pa.array(self.rng.choice(CHANNELS, count)),
                "occurred_at": at,
                "recorded_at": at,
                "points": _constant(50, count, pa.int64()),
            },
        )

    def non_member_sales(self, count: int) -> None:
        receipts = self.keys.make("receipt", 0, count // 3 + 1).cast(pa.string())
        self.stage(
            "non_member_sales",
            {
                "sale_key": self.keys.make("sale", 0, count).cast(pa.string()),
                "run_id": _constant("bench", count, pa.string()),
                "line_no": pa.array(np.arange(count)),
                "store_id": pa.array(self.rng.choice(STORES, count)),
                "receipt_id": receipts.take(pa.array(np.arange(count) // 3)),
                "occurred_at": _times(self.rng, count),
                "sku": _constant("SKU", count, pa.string()),
                "quantity": pa.array(self.rng.integers(1, 5, count)),
                "unit_price_minor": pa.array(self.rng.integers(100, 5_000, count)),
                "currency": _constant("PLN", count, pa.string()),
                "country": _constant("PL", count, pa.string()),
            },
        )


@dataclass(frozen=True)
class Sale:
    """Who, where and when, for a batch of entries."""

    member: pa.Array
    channel: pa.Array
    store: pa.Array
    at: pa.Array


def generate(
    root: Path, total: int, seed: int, keys: str = "uuid", say: Callable[[str], None] = print
) -> None:
    """``total`` purchases of ``total / 20`` members over 2025, and the rest in proportion."""
    made = Generator(root, keys, seed)
    member_ids = made.members(max(total // 20, 1_000))
    for start in range(0, total, CHUNK):
        count = min(CHUNK, total - start)
        made.purchases(start, count, member_ids)
        say(f"  {start + count:>12,} purchases written")
    offset = total
    for kind, share in (("redeem", 20), ("expiry", 40)):
        count = total // share
        made.spending(offset, count, member_ids, kind)
        offset += count
    made.events(total // 10, member_ids)
    made.non_member_sales(total // 5)
    made.warehouse.publish(made.staged, ["members"], datetime.now(UTC), Marks())  # no database
