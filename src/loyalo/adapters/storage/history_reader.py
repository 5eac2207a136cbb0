"""The stored history for a backtest: read-only, one snapshot, streamed in time order.

A backtest reads every purchase for many seconds, so it must not get in the way
of the tills:

* SQLite: its own connection, with ``PRAGMA query_only`` (it cannot write) and a
  deferred ``BEGIN``. The application's engine takes the write lock at every
  ``BEGIN IMMEDIATE``; a deferred read in WAL mode blocks no writer and sees one
  snapshot from its first read to its end.
* PostgreSQL: a ``REPEATABLE READ, READ ONLY`` transaction (one snapshot, and the
  server refuses any write), the streams read through server-side cursors.

Each stream is fetched ``chunk_size`` rows at a time (``yield_per``), so memory
does not grow with the history.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    String,
    Table,
    case,
    create_engine,
    event,
    func,
    select,
    type_coerce,
)

from loyalo.adapters.storage.coupons import coupons_by_purchase
from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.rules_state import MemberEventRow
from loyalo.adapters.storage.tables import (
    JournalEntryRow,
    MemberRow,
    PostingRow,
    PurchaseLineRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.application.simulation.ports import HistoryCounts
from loyalo.domain.coupons.validation import TillCoupon
from loyalo.domain.ledger.accounts import MEMBER_ACCOUNTS, AccountKind
from loyalo.domain.ledger.journal import EntryKind
from loyalo.domain.programme.simulation.history import (
    LedgerMovements,
    MemberFacts,
    PastEvent,
    PastPurchase,
    PastReturn,
)
from loyalo.domain.purchases.basket import Line

_PURCHASES = cast(Table, PurchaseRow.__table__)
_LINES = cast(Table, PurchaseLineRow.__table__)
_RETURNS = cast(Table, PurchaseReturnRow.__table__)
_EVENTS = cast(Table, MemberEventRow.__table__)
_MEMBERS = cast(Table, MemberRow.__table__)
_ENTRIES = cast(Table, JournalEntryRow.__table__)
_POSTINGS = cast(Table, PostingRow.__table__)

CHUNK_SIZE = 5_000
_MEMBERS_PER_QUERY = 500


def _raw(column: Any) -> Any:
    """The column as the driver returns it, without SQLAlchemy's per-row conversion
    (parsed here once per purchase rather than once per line)."""
    return type_coerce(column, String)


def _moment(value: datetime | str) -> datetime:
    """SQLite gives text, PostgreSQL an aware datetime; UTC either way."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _labels(value: Any) -> tuple[str, ...]:
    if value is None or value == "null":
        return ()
    if isinstance(value, str):
        value = json.loads(value)
    return tuple(value or ())


def _document(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value or {})


_PURCHASE_ROWS = (
    select(
        _PURCHASES.c.purchase_id,
        _PURCHASES.c.member_id,
        _raw(_PURCHASES.c.occurred_at),
        _PURCHASES.c.channel,
        _PURCHASES.c.store_id,
        _PURCHASES.c.total_minor,
        _LINES.c.sku,
        _LINES.c.quantity,
        _LINES.c.unit_price_minor,
        _LINES.c.discount_minor,
        _LINES.c.name,
        _LINES.c.category,
        _raw(_LINES.c.labels),
        _LINES.c.delivery,
    )
    .join(_LINES, _LINES.c.purchase_id == _PURCHASES.c.purchase_id)
    .order_by(_PURCHASES.c.occurred_at, _PURCHASES.c.purchase_id, _LINES.c.line_no)
)


class SqlHistoryReader:
    def __init__(self, connection: Connection, chunk_size: int = CHUNK_SIZE) -> None:
        self._connection = connection
        self._chunk_size = chunk_size

    def counts(self, until: datetime) -> HistoryCounts:
        def count(table: Table) -> int:
            query = select(func.count()).select_from(table).where(table.c.occurred_at < until)
            return int(self._connection.scalar(query) or 0)

        return HistoryCounts(count(_PURCHASES), count(_RETURNS), count(_EVENTS))

    def purchases(self, until: datetime) -> Iterator[PastPurchase]:
        coupons = coupons_by_purchase(self._connection, until)  # few: read once, kept
        rows = self._stream(_PURCHASE_ROWS.where(_PURCHASES.c.occurred_at < until))
        current: Any = None
        lines: list[Line] = []
        for row in rows:
            if current is None or row[0] != current[0]:
                if current is not None:
                    yield _purchase(current, lines, coupons)
                current, lines = row, []
            lines.append(
                Line(
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    row[10],
                    row[11],
                    _labels(row[12]),
                    bool(row[13]),
                )
            )
        if current is not None:
            yield _purchase(current, lines, coupons)

    def returns(self, until: datetime) -> Iterator[PastReturn]:
        query = (
            select(
                _RETURNS.c.return_id,
                _RETURNS.c.purchase_id,
                _RETURNS.c.occurred_at,
                _RETURNS.c.line_quantities,
            )
            .where(_RETURNS.c.occurred_at < until)
            .order_by(_RETURNS.c.occurred_at, _RETURNS.c.return_id)
        )
        for row in self._stream(query):
            quantities = {int(index): int(units) for index, units in row[3].items()}
            yield PastReturn(row[0], row[1], row[2], quantities)

    def events(self, until: datetime) -> Iterator[PastEvent]:
        query = (
            select(
                _EVENTS.c.event_id,
                _EVENTS.c.member_id,
                _EVENTS.c.name,
                _EVENTS.c.channel,
                _EVENTS.c.occurred_at,
                _EVENTS.c.attributes,
            )
            .where(_EVENTS.c.occurred_at < until)
            .order_by(_EVENTS.c.occurred_at, _EVENTS.c.event_id)
        )
        for row in self._stream(query):
            yield PastEvent(row[0], row[1], row[2], row[3], row[4], _document(row[5]))

    def returned_purchases(self, until: datetime) -> dict[str, int]:
        query = (
            select(_RETURNS.c.purchase_id, func.count())
            .where(_RETURNS.c.occurred_at < until)
            .group_by(_RETURNS.c.purchase_id)
        )
        return {purchase_id: int(count) for purchase_id, count in self._connection.execute(query)}

    def members(self, member_ids: Collection[str]) -> dict[str, MemberFacts]:
        wanted = sorted(member_ids)
        found: dict[str, MemberFacts] = {}
        for first in range(0, len(wanted), _MEMBERS_PER_QUERY):
            query = select(
                _MEMBERS.c.member_id,
                _MEMBERS.c.created_at,
                _MEMBERS.c.birth_date,
                _MEMBERS.c.attributes,
            ).where(_MEMBERS.c.member_id.in_(wanted[first : first + _MEMBERS_PER_QUERY]))
            for member_id, created_at, birth_date, attributes in self._connection.execute(query):
                joined: date = created_at.date()  # as MemberView.of reads it
                found[member_id] = MemberFacts(member_id, joined, birth_date, dict(attributes))
        return found

    def ledger(self, start: datetime, end: datetime) -> LedgerMovements:
        """One pass over the postings: the members' points at the start, and the period."""
        member = _POSTINGS.c.account.in_([account.value for account in MEMBER_ACCOUNTS])
        occurred = _ENTRIES.c.occurred_at
        inside = (occurred >= start) & (occurred < end)

        def total(condition: Any) -> Any:
            return func.coalesce(func.sum(case((condition, _POSTINGS.c.points), else_=0)), 0)

        def system(kind: EntryKind | None, account: AccountKind) -> Any:
            condition = inside & (_POSTINGS.c.account == account.value)
            if kind is not None:
                condition &= _ENTRIES.c.kind == kind.value
            return total(condition)

        earn = (_ENTRIES.c.kind == EntryKind.EARN.value) & (
            _POSTINGS.c.account == AccountKind.ISSUANCE.value
        )
        late = func.sum(case((inside & earn & self._recorded_late(), 1), else_=0))
        query = select(
            total(member & (occurred < start)),
            total(member & (occurred < end)),
            system(EntryKind.EARN, AccountKind.ISSUANCE),
            system(EntryKind.RETURN, AccountKind.ISSUANCE),
            system(None, AccountKind.REDEMPTION),
            system(None, AccountKind.BREAKAGE),
            system(None, AccountKind.ADJUSTMENT),
            func.coalesce(late, 0),
        ).select_from(_POSTINGS.join(_ENTRIES, _ENTRIES.c.entry_id == _POSTINGS.c.entry_id))
        opening, closing, earned, returned, redeemed, expired, adjusted, late_entries = (
            int(value) for value in self._connection.execute(query).one()
        )
        versions = select(_PURCHASES.c.programme_version, func.count()).where(
            _PURCHASES.c.occurred_at >= start, _PURCHASES.c.occurred_at < end
        )
        recorded = {
            int(version or 0): int(count)
            for version, count in self._connection.execute(
                versions.group_by(_PURCHASES.c.programme_version)
            )
        }
        return LedgerMovements(
            opening_points=opening,
            issued=-earned,
            taken_back=returned,
            redeemed=redeemed,
            expired=expired,
            adjusted=-adjusted,
            closing_points=closing,
            versions=recorded,
            late_entries=late_entries,
        )

    def _recorded_late(self) -> Any:
        """Recorded more than a day after it happened: an import, or a back-dated sale."""
        recorded, occurred = _ENTRIES.c.recorded_at, _ENTRIES.c.occurred_at
        if self._connection.dialect.name == "sqlite":
            return func.julianday(recorded) - func.julianday(occurred) > 1
        return recorded - occurred > timedelta(days=1)

    def _stream(self, query: Select[Any]) -> Iterator[Any]:
        result = self._connection.execution_options(yield_per=self._chunk_size).execute(query)
        try:
            yield from result
        finally:
            result.close()


def _purchase(
    head: Any, lines: list[Line], coupons: dict[str, tuple[TillCoupon, ...]]
) -> PastPurchase:
    used = coupons.get(head[0], ())
    return PastPurchase(
        head[0], head[1], _moment(head[2]), head[3], head[4], head[5], tuple(lines), used
    )


class SqlHistorySource:
    """Opens read-only snapshots of the history (``HistorySource``).

    Pickled, it travels as its database URL, so that a second process opens the same
    database with an engine of its own (a private in-memory database cannot travel).
    """

    def __init__(self, engine: Engine, chunk_size: int = CHUNK_SIZE) -> None:
        self._engine = engine
        self._chunk_size = chunk_size

    @classmethod
    def at(cls, url: str, chunk_size: int = CHUNK_SIZE) -> SqlHistorySource:
        return cls(make_engine(url, pool_size=1), chunk_size)

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        url = self._engine.url
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            raise TypeError("a private in-memory database cannot be opened by another process")
        return (SqlHistorySource.at, (url.render_as_string(hide_password=False), self._chunk_size))

    @contextmanager
    def __call__(self) -> Iterator[SqlHistoryReader]:
        if self._engine.dialect.name == "sqlite":
            with _sqlite_snapshot(self._engine) as connection:
                yield SqlHistoryReader(connection, self._chunk_size)
            return
        with self._engine.connect() as opened:
            connection = opened.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with connection.begin():
                yield SqlHistoryReader(connection, self._chunk_size)


@contextmanager
def _sqlite_snapshot(engine: Engine) -> Iterator[Connection]:
    database = engine.url.database
    if not database or database == ":memory:":  # a private database: only its engine sees it
        with engine.connect() as connection, connection.begin():
            yield connection
        return
    reader = create_engine(engine.url, connect_args={"check_same_thread": False, "timeout": 60})

    @event.listens_for(reader, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy, not the driver, begins
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(reader, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN DEFERRED")

    try:
        with reader.connect() as connection, connection.begin():
            yield connection
    finally:
        reader.dispose()
