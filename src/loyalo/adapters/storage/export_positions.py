"""Where the analytics export stands in each table, in the order the engine records rows.

The application sees an ``ExportMark``: a position, a band of keys and a witness,
opaque to it. What they mean depends on the engine:

* **SQLite** writes one transaction at a time, and these tables are append-only
  (nothing deletes from them, so no rowid is ever reused): the implicit ``rowid``
  grows in commit order. The mark's position is the highest rowid the snapshot
  sees plus one; the band is always empty; the witness is the key of the row at
  that highest rowid, checked before the position is trusted again (a database
  restored from an older copy, or rows renumbered, fail the check).
* **PostgreSQL** commits transactions in any order, so each of these tables
  carries ``txid`` (migration 0015): the id of the top-level transaction that
  wrote the row. In one REPEATABLE READ snapshot, ``H = pg_snapshot_xmin`` is the
  oldest transaction still running: every transaction below ``H`` has ended, and
  no later one can get an id below ``H``. So every row the next snapshot sees and
  this one does not has ``txid >= H``. The mark's position is ``H``; its band is
  the keys of the rows this snapshot sees with ``txid >= H`` (newer transactions
  that committed before it, exported now); the next export reads ``txid >= H``
  and leaves the band out. The witness is the cluster's system identifier: a
  ``txid`` means nothing in another cluster, where the mark is not trusted.

The members dimension is mutable, so it has no position of its own: the export
rewrites it whole, and only when the rows it is read from may have changed since
its mark (migration 0016). On SQLite the mark is the token of ``export_changes``,
which triggers replace on every such write. On PostgreSQL it is a horizon and a
band as above, over ``members.txid`` and ``member_tiers.txid`` (stamped on insert,
and by a trigger on an update of a column the export reads), where the band holds
*row versions* (``table:key@txid``): a row updated again gets a new ``txid`` and is
seen, though its key is in the band. A deletion leaves no row to stamp, so it
replaces the ``export_changes`` token, which the witness carries.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, literal_column, select, text
from sqlalchemy.orm import Session

from loyalo.adapters.storage.rules_state import MemberEventRow
from loyalo.adapters.storage.tables import (
    JournalEntryRow,
    NonMemberSaleRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.adapters.storage.tables_export import ExportChangeRow
from loyalo.application.analytics.ports import ExportMark

_TABLES: dict[str, Table] = {
    "purchases": cast(Table, PurchaseRow.__table__),
    "returns": cast(Table, PurchaseReturnRow.__table__),
    "events": cast(Table, MemberEventRow.__table__),
    "non_member_sales": cast(Table, NonMemberSaleRow.__table__),
    "postings": cast(Table, JournalEntryRow.__table__),  # by journal entry
}
MEMBER_TXID_TABLES = ("members", "member_tiers")
TXID_TABLES = (*(table.name for table in _TABLES.values()), *MEMBER_TXID_TABLES)
"""The tables that carry ``txid`` on PostgreSQL (migrations 0015 and 0016), and only there."""

_TOKEN = select(ExportChangeRow.token).where(ExportChangeRow.name == "members")
_MEMBER_VERSIONS = text(
    "SELECT 'members', member_id, txid::text FROM members "
    "WHERE txid >= CAST(:position AS xid8) "
    "UNION ALL SELECT 'member_tiers', member_id, txid::text FROM member_tiers "
    "WHERE txid >= CAST(:position AS xid8)"
)


def sale_key(run_id: str, line_no: int) -> str:
    return f"{run_id}:{line_no}"


def _key_columns(table: str) -> list[Any]:
    """The columns that make the export's key of a row of ``table``."""
    if table == "non_member_sales":
        sales = _TABLES[table]
        return [sales.c.run_id, sales.c.line_no]
    return [next(iter(_TABLES[table].primary_key.columns))]


def _key(table: str, row: Any) -> str:
    return sale_key(row[0], row[1]) if table == "non_member_sales" else str(row[0])


class SqlitePositions:
    """Positions by ``rowid``: one writer at a time, so rowids grow in commit order."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def pin(self) -> None:
        """Every transaction here begins ``IMMEDIATE``: it reads one state already."""

    def mark(self, table: str) -> ExportMark:
        rowid = _rowid(table)
        query = select(rowid, *_key_columns(table)).order_by(rowid.desc()).limit(1)
        last = self._db.execute(query).first()
        if last is None:
            return ExportMark(position=1, witness=_EMPTY)
        return ExportMark(position=int(last[0]) + 1, witness=f"rowid:{_key(table, last[1:])}")

    def holds(self, table: str, mark: ExportMark) -> bool:
        if mark.witness == _EMPTY:  # the table was empty: all it holds now is new
            return True
        if not mark.witness.startswith("rowid:"):
            return False
        query = select(*_key_columns(table)).where(_rowid(table) == mark.position - 1)
        found = self._db.execute(query).first()
        return found is not None and f"rowid:{_key(table, found)}" == mark.witness

    def keys_since(self, table: str, mark: ExportMark) -> list[str]:
        rowid = _rowid(table)
        query = select(*_key_columns(table)).where(rowid >= mark.position).order_by(rowid)
        return _outside(table, self._db.execute(query), mark.band)

    def members_mark(self) -> ExportMark:
        return ExportMark(position=0, witness=f"token:{_token(self._db)}")

    def members_changed(self, mark: ExportMark) -> bool:
        return mark.witness != self.members_mark().witness

    @property
    def _db(self) -> Connection:
        return self._session.connection()


class PostgresPositions:
    """Positions by the writing transaction's id, against the snapshot's horizon."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._horizon: int | None = None
        self._cluster: str | None = None

    def pin(self) -> None:
        self._session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )

    def mark(self, table: str) -> ExportMark:
        horizon = self.horizon()
        band = frozenset(self._keys_from(table, horizon, frozenset()))
        return ExportMark(position=horizon, band=band, witness=self._witness())

    def holds(self, table: str, mark: ExportMark) -> bool:
        # transaction ids only grow in a cluster: a mark above the horizon is another's
        return mark.witness == self._witness() and mark.position <= self.horizon()

    def keys_since(self, table: str, mark: ExportMark) -> list[str]:
        return self._keys_from(table, mark.position, mark.band)

    def members_mark(self) -> ExportMark:
        horizon = self.horizon()
        versions = frozenset(self._member_versions(horizon))
        return ExportMark(position=horizon, band=versions, witness=self._members_witness())

    def members_changed(self, mark: ExportMark) -> bool:
        if mark.witness != self._members_witness() or mark.position > self.horizon():
            return True
        return any(version not in mark.band for version in self._member_versions(mark.position))

    def horizon(self) -> int:
        """The oldest transaction still running when the snapshot was taken."""
        if self._horizon is None:
            query = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            self._horizon = int(self._db.execute(query).scalar_one())
        return self._horizon

    def _witness(self) -> str:
        if self._cluster is None:
            query = text("SELECT system_identifier::text FROM pg_control_system()")
            self._cluster = str(self._db.execute(query).scalar_one())
        return f"xid:{self._cluster}"

    def _members_witness(self) -> str:
        return f"{self._witness()}/token:{_token(self._db)}"

    def _member_versions(self, position: int) -> list[str]:
        """The member and tier rows written by transactions from ``position`` on, visible
        here, as ``table:member_id@txid``."""
        found = self._db.execute(_MEMBER_VERSIONS, {"position": str(position)})
        return [f"{table}:{member}@{txid}" for table, member, txid in found]

    def _keys_from(self, table: str, position: int, band: frozenset[str]) -> list[str]:
        name = _TABLES[table].name
        since = text(f"{name}.txid >= CAST(:position AS xid8)").bindparams(position=str(position))
        query = select(*_key_columns(table)).where(since).order_by(text(f"{name}.txid"))
        return _outside(table, self._db.execute(query), band)

    @property
    def _db(self) -> Connection:
        return self._session.connection()


_EMPTY = "rowid:"


def _token(db: Connection) -> str:
    """The members' change token ("": none, a state of its own until the next change)."""
    return db.execute(_TOKEN).scalar_one_or_none() or ""


def _rowid(table: str) -> Any:
    return literal_column(f"{_TABLES[table].name}.rowid")


def _outside(table: str, rows: Any, band: frozenset[str]) -> list[str]:
    """The keys of ``rows`` in their order, but those in ``band``."""
    keys = (_key(table, row) for row in rows)
    return [key for key in keys if key not in band]
