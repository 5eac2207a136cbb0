"""The transactional store read for the analytics export (``UnitOfWork.analytics``).

Plain columns, never ORM objects; the statements are built once. Where the export
stands in each table (its marks) is the engine's business: ``export_positions.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select, tuple_
from sqlalchemy.orm import Session

from loyalo.adapters.storage.export_positions import PostgresPositions, SqlitePositions, sale_key
from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.rules_state import MemberEventRow
from loyalo.adapters.storage.tables import (
    JournalEntryRow,
    MemberRow,
    NonMemberSaleRow,
    PostingRow,
    PurchaseLineRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.adapters.storage.tiers import MemberTierRow
from loyalo.application.analytics.ports import ExportMark, Row

_PURCHASES = cast(Table, PurchaseRow.__table__)
_LINES = cast(Table, PurchaseLineRow.__table__)
_RETURNS = cast(Table, PurchaseReturnRow.__table__)
_EVENTS = cast(Table, MemberEventRow.__table__)
_ENTRIES = cast(Table, JournalEntryRow.__table__)
_POSTINGS = cast(Table, PostingRow.__table__)
_MEMBERS = cast(Table, MemberRow.__table__)
_TIERS = cast(Table, MemberTierRow.__table__)
_SALES = cast(Table, NonMemberSaleRow.__table__)

_KEYS: Any = bindparam("keys", expanding=True)
CHUNK = 5_000

_ENTRY_KEYS = select(_ENTRIES.c.entry_id)
_EVENT_KEYS = select(_EVENTS.c.event_id)
_PURCHASE_KEYS = select(_PURCHASES.c.purchase_id)
_RETURN_KEYS = select(_RETURNS.c.return_id)
_SALE_KEYS = select(_SALES.c.run_id, _SALES.c.line_no)

_PURCHASE_ROWS = select(
    _PURCHASES.c.purchase_id,
    _PURCHASES.c.member_id,
    _PURCHASES.c.store_id,
    _PURCHASES.c.receipt_id,
    _PURCHASES.c.channel,
    _PURCHASES.c.occurred_at,
    _PURCHASES.c.currency,
    _PURCHASES.c.total_minor,
    _PURCHASES.c.discount_minor,
    (_PURCHASES.c.total_minor - _PURCHASES.c.discount_minor).label("paid_minor"),
    _PURCHASES.c.points_earned,
).where(_PURCHASES.c.purchase_id.in_(_KEYS))
_LINE_ROWS = select(
    _LINES.c.purchase_id,
    _LINES.c.line_no,
    _LINES.c.sku,
    _LINES.c.name,
    _LINES.c.category,
    _LINES.c.quantity,
    _LINES.c.unit_price_minor,
    _LINES.c.discount_minor,
).where(_LINES.c.purchase_id.in_(_KEYS))
_RETURN_ROWS = (
    select(
        _RETURNS.c.return_id,
        _RETURNS.c.purchase_id,
        _PURCHASES.c.member_id,
        _PURCHASES.c.store_id,
        _PURCHASES.c.channel,
        _RETURNS.c.occurred_at,
        _PURCHASES.c.currency,
        _RETURNS.c.value_minor,
        _RETURNS.c.points_taken,
        _RETURNS.c.debt_points,
        _RETURNS.c.line_quantities,
    )
    .join(_PURCHASES, _PURCHASES.c.purchase_id == _RETURNS.c.purchase_id)
    .where(_RETURNS.c.return_id.in_(_KEYS))
)
_SALE_ROWS = select(
    _SALES.c.run_id,
    _SALES.c.line_no,
    _SALES.c.store_id,
    _SALES.c.receipt_id,
    _SALES.c.occurred_at,
    _SALES.c.sku,
    _SALES.c.quantity,
    _SALES.c.unit_price_minor,
    _SALES.c.currency,
    _SALES.c.country,
)
_EVENT_ROWS = select(
    _EVENTS.c.event_id,
    _EVENTS.c.member_id,
    _EVENTS.c.name,
    _EVENTS.c.channel,
    _EVENTS.c.occurred_at,
    _EVENTS.c.recorded_at,
    _EVENTS.c.points,
).where(_EVENTS.c.event_id.in_(_KEYS))
_POSTING_ROWS = (
    select(
        _POSTINGS.c.posting_id,
        _POSTINGS.c.entry_id,
        _POSTINGS.c.member_id,
        _ENTRIES.c.seq,
        _POSTINGS.c.account,
        _POSTINGS.c.points,
        _ENTRIES.c.kind,
        _ENTRIES.c.channel,
        _ENTRIES.c.store_id,
        _ENTRIES.c.source_type,
        _ENTRIES.c.source_id,
        _ENTRIES.c.rule_id,
        _ENTRIES.c.programme_version,
        _ENTRIES.c.occurred_at,
        _ENTRIES.c.recorded_at,
    )
    .join(_ENTRIES, _ENTRIES.c.entry_id == _POSTINGS.c.entry_id)
    .where(_POSTINGS.c.entry_id.in_(_KEYS))
    .order_by(_POSTINGS.c.posting_id)
)
_MEMBER_ROWS = (
    select(_MEMBERS.c.member_id, _MEMBERS.c.created_at, _MEMBERS.c.attributes, _TIERS.c.tier_id)
    .outerjoin(_TIERS, _TIERS.c.member_id == _MEMBERS.c.member_id)
    .order_by(_MEMBERS.c.member_id)
)


def flags_text(attributes: Any) -> str:
    """``attributes.flags`` as ``|a|b|``: an INSTR on it reads the same in DuckDB and Spark."""
    flags = attributes.get("flags") if isinstance(attributes, dict) else None
    if not isinstance(flags, list) or not flags:
        return ""
    return "|" + "|".join(sorted({str(flag) for flag in flags})) + "|"


class SqlAnalyticsSource(SqlRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._where: SqlitePositions | PostgresPositions | None = None

    def pin_snapshot(self) -> None:
        self._positions.pin()

    def mark(self, table: str) -> ExportMark:
        return self._positions.mark(table)

    def holds(self, table: str, mark: ExportMark) -> bool:
        return self._positions.holds(table, mark)

    def keys_since(self, table: str, mark: ExportMark) -> list[str]:
        return self._positions.keys_since(table, mark)

    def keys(self, table: str) -> set[str]:
        if table == "purchases":
            return set(self._db.scalars(_PURCHASE_KEYS))
        if table == "returns":
            return set(self._db.scalars(_RETURN_KEYS))
        if table == "events":
            return set(self._db.scalars(_EVENT_KEYS))
        if table == "postings":
            return set(self._db.scalars(_ENTRY_KEYS))
        if table == "non_member_sales":
            return {sale_key(run, line) for run, line in self._db.execute(_SALE_KEYS)}
        raise ValueError(f"{table} is not exported from a mark")

    def keyed_rows(self, table: str, keys: Sequence[str]) -> dict[str, list[Row]]:
        if table == "purchases":
            return {
                "purchases": self._rows(_PURCHASE_ROWS, keys),
                "purchase_lines": self._rows(_LINE_ROWS, keys),
            }
        if table == "returns":
            return self._returns(keys)
        if table == "events":
            return {"events": self._rows(_EVENT_ROWS, keys)}
        if table == "postings":
            return {"postings": self._rows(_POSTING_ROWS, keys)}
        if table == "non_member_sales":
            return {"non_member_sales": self._sales(keys)}
        raise ValueError(f"{table} is not exported from a mark")

    def members(self) -> Iterator[Row]:
        result = self._db.execution_options(yield_per=CHUNK).execute(_MEMBER_ROWS)
        for row in result:
            yield {
                "member_id": row.member_id,
                "created_at": row.created_at,
                "tier_id": row.tier_id,
                "flags": flags_text(row.attributes),
            }

    def members_mark(self) -> ExportMark:
        return self._positions.members_mark()

    def members_changed(self, mark: ExportMark) -> bool:
        return self._positions.members_changed(mark)

    def _rows(self, query: Select[Any], keys: Sequence[str]) -> list[Row]:
        return [dict(row._mapping) for row in self._db.execute(query, {"keys": list(keys)})]

    def _returns(self, keys: Sequence[str]) -> dict[str, list[Row]]:
        returns: list[Row] = []
        lines: list[Row] = []
        for row in self._rows(_RETURN_ROWS, keys):
            quantities = row.pop("line_quantities") or {}
            returns.append(row)
            lines.extend(
                {
                    "return_id": row["return_id"],
                    "purchase_id": row["purchase_id"],
                    "line_no": int(line_no),
                    "quantity": int(quantity),
                }
                for line_no, quantity in sorted(quantities.items(), key=lambda i: int(i[0]))
            )
        return {"returns": returns, "return_lines": lines}

    def _sales(self, keys: Sequence[str]) -> list[Row]:
        pairs = [(run, int(line)) for run, _, line in (key.rpartition(":") for key in keys)]
        query = _SALE_ROWS.where(tuple_(_SALES.c.run_id, _SALES.c.line_no).in_(pairs))
        return [
            {"sale_key": sale_key(row.run_id, row.line_no), **row._mapping}
            for row in self._db.execute(query)
        ]

    @property
    def _positions(self) -> SqlitePositions | PostgresPositions:
        if self._where is None:
            postgres = self._session.get_bind().dialect.name == "postgresql"
            self._where = (PostgresPositions if postgres else SqlitePositions)(self._session)
        return self._where
