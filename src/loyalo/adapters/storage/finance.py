"""Finance's reads of the ledger: sums over the append-only postings, nothing written.

An entry's system postings say what it did to the programme's promise; the
members' side is the balance rows. Entries are read member by member in journal
order, streamed, so a large journal is not held in memory by the database driver.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import ColumnElement, Connection, Table, bindparam, case, func, select

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import JournalEntryRow, MemberBalanceRow, PostingRow
from loyalo.application.finance.ports import LedgerRead
from loyalo.domain.finance.liability import EntryFlow, OutstandingPoints
from loyalo.domain.ledger.accounts import AccountKind

_ENTRIES = cast(Table, JournalEntryRow.__table__)
_POSTINGS = cast(Table, PostingRow.__table__)
_BALANCES = cast(Table, MemberBalanceRow.__table__)
_BATCH = 5000


def _sum_of(account: AccountKind) -> ColumnElement[int]:
    points = _POSTINGS.c.points
    return func.coalesce(func.sum(case((_POSTINGS.c.account == account.value, points), else_=0)), 0)


_OUTSTANDING = select(
    func.coalesce(func.sum(_BALANCES.c.available), 0),
    func.coalesce(func.sum(_BALANCES.c.pending), 0),
    func.coalesce(func.sum(_BALANCES.c.held), 0),
    func.coalesce(func.sum(_BALANCES.c.debt), 0),
)

_FLOWS = (
    select(
        _ENTRIES.c.member_id,
        _ENTRIES.c.occurred_at,
        _sum_of(AccountKind.ISSUANCE),
        _sum_of(AccountKind.REDEMPTION),
        _sum_of(AccountKind.BREAKAGE),
        _sum_of(AccountKind.ADJUSTMENT),
    )
    .join(_POSTINGS, _POSTINGS.c.entry_id == _ENTRIES.c.entry_id)
    .where(
        _POSTINGS.c.account.in_([a.value for a in sorted(AccountKind) if not a.is_member_account]),
        _ENTRIES.c.occurred_at <= bindparam("until"),
    )
    .group_by(_ENTRIES.c.entry_id, _ENTRIES.c.member_id, _ENTRIES.c.seq, _ENTRIES.c.occurred_at)
    .order_by(_ENTRIES.c.member_id, _ENTRIES.c.seq)
)


class SqlFinanceLedgerReader(SqlRepository):
    def read(self, until: datetime) -> LedgerRead:
        connection = self._snapshot()
        available, pending, held, debt = connection.execute(_OUTSTANDING).one()
        outstanding = OutstandingPoints(int(available), int(pending), int(held), int(debt))
        return LedgerRead(outstanding, self._flows(connection, until))

    def _snapshot(self) -> Connection:
        """On PostgreSQL a fresh transaction becomes REPEATABLE READ, so the balances and the
        entries are read from one snapshot while tills keep writing (READ COMMITTED would give
        each statement its own). SQLite's transaction is one snapshot already."""
        fresh = not self._session.in_transaction()
        if fresh and self._session.get_bind().dialect.name == "postgresql":
            return self._session.connection(
                execution_options={"isolation_level": "REPEATABLE READ"}
            )
        return self._db

    @staticmethod
    def _flows(connection: Connection, until: datetime) -> Iterator[EntryFlow]:
        rows = connection.execution_options(yield_per=_BATCH).execute(_FLOWS, {"until": until})
        for member_id, occurred_at, issuance, redemption, breakage, adjustment in rows:
            yield EntryFlow(
                member_id=member_id,
                occurred_at=occurred_at,
                issued=-int(issuance),
                redeemed=int(redemption),
                expired=int(breakage),
                adjusted=-int(adjustment),
            )
