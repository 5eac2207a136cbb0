"""The ledger in SQL: a locked balance row per member, append-only entries.

The statements on the write path (every purchase, spend and return runs them)
are built once, with bind parameters, and executed as Core statements: the SQL
is the same, without rebuilding and re-hashing the statement on every call or
going through the ORM's bulk-DML machinery for rows that are never ORM objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, func, insert, select, update
from sqlalchemy.orm import Session

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import JournalEntryRow, LotRow, MemberBalanceRow, PostingRow
from loyalo.application.context import new_id
from loyalo.domain.errors import MemberNotFound
from loyalo.domain.ledger.accounts import AccountKind, MemberBalance
from loyalo.domain.ledger.audit import LotTotals
from loyalo.domain.ledger.chain import GENESIS_HASH, entry_hash
from loyalo.domain.ledger.journal import EntryKind, JournalEntry, Posting, Provenance
from loyalo.domain.ledger.lots import Lot, LotDraw
from loyalo.domain.ledger.stored import ChainHead, StoredEntry, chained_content, provenance_fields

_BALANCES = cast(Table, MemberBalanceRow.__table__)
_LOCK = (
    select(
        _BALANCES.c.available,
        _BALANCES.c.pending,
        _BALANCES.c.held,
        _BALANCES.c.debt,
        _BALANCES.c.chain_seq,
        _BALANCES.c.chain_hash,
    )
    .where(_BALANCES.c.member_id == bindparam("lock_member_id"))
    .with_for_update()
)
# The SET columns come from the parameters; the WHERE names must not be column names.
_ADVANCE = (
    update(_BALANCES)
    .where(_BALANCES.c.member_id == bindparam("head_member_id"))
    .where(_BALANCES.c.chain_seq == bindparam("head_seq"))
)
_LOTS = cast(Table, LotRow.__table__)
_INSERT_ENTRY = insert(cast(Table, JournalEntryRow.__table__))
_INSERT_POSTING = insert(cast(Table, PostingRow.__table__))
_INSERT_LOT = insert(_LOTS)
_MATURED = (
    select(_LOTS.c.lot_id, _LOTS.c.points_remaining, _LOTS.c.earned_at, _LOTS.c.source_id)
    .where(_LOTS.c.member_id == bindparam("lots_member_id"))
    .where(_LOTS.c.pending.is_(True))
    .where(_LOTS.c.available_at <= bindparam("lots_now", type_=_LOTS.c.available_at.type))
)


class ChainForked(RuntimeError):
    """Two writers extended one member's chain: the lock was not held. A bug."""


_OPEN_ACCOUNTS = insert(MemberBalanceRow)
# Lots are read as plain columns, never as ORM objects: draws update them with Core
# statements, which an identity map would not see.
_LOT_COLUMNS = (LotRow.lot_id, LotRow.points_remaining, LotRow.earned_at, LotRow.source_id)
_OPEN_LOTS = (
    select(*_LOT_COLUMNS)
    .where(LotRow.member_id == bindparam("lots_member_id"))
    .where(LotRow.pending == bindparam("lots_pending"))
    .where(LotRow.points_remaining > 0)
    .order_by(LotRow.earned_at, LotRow.lot_id)
)
_EXPIRED = (
    select(*_LOT_COLUMNS)
    .where(LotRow.member_id == bindparam("lots_member_id"))
    .where(LotRow.pending.is_(False))
    .where(LotRow.points_remaining > 0)
    .where(LotRow.expires_at <= bindparam("lots_now", type_=_LOTS.c.expires_at.type))
    .order_by(LotRow.earned_at, LotRow.lot_id)
)
_DRAW = (
    update(LotRow)
    .where(LotRow.lot_id == bindparam("draw_lot_id"))
    .values(points_remaining=LotRow.points_remaining - bindparam("draw_points"))
)


def _balance(row: Any) -> MemberBalance:
    """From an ORM row or a result row: both have the four balance columns."""
    return MemberBalance(int(row.available), int(row.pending), int(row.held), int(row.debt))


class SqlLedgerRepository(SqlRepository):
    def open_accounts(self, member_id: str) -> None:
        self._db.execute(_OPEN_ACCOUNTS, {"member_id": member_id, "chain_hash": GENESIS_HASH})

    def lock(self, member_id: str) -> ChainHead:
        row = self._db.execute(_LOCK, {"lock_member_id": member_id}).first()
        if row is None:
            raise MemberNotFound(f"no ledger accounts for member {member_id}")
        return ChainHead(member_id, _balance(row), row.chain_seq, row.chain_hash)

    def balance(self, member_id: str) -> MemberBalance:
        row = self._db.execute(
            select(
                MemberBalanceRow.available,
                MemberBalanceRow.pending,
                MemberBalanceRow.held,
                MemberBalanceRow.debt,
            ).where(MemberBalanceRow.member_id == member_id)
        ).first()
        if row is None:
            raise MemberNotFound(f"no ledger accounts for member {member_id}")
        return _balance(row)

    def append(
        self, head: ChainHead, entry_id: str, entry: JournalEntry, at: datetime
    ) -> ChainHead:
        seq = head.seq + 1
        digest = entry_hash(chained_content(entry_id, head.member_id, seq, entry, at, head.hash))
        self._db.execute(
            _INSERT_ENTRY,
            {
                "entry_id": entry_id,
                "member_id": head.member_id,
                "seq": seq,
                "kind": entry.kind.value,
                "occurred_at": entry.occurred_at,
                "recorded_at": at,
                **provenance_fields(entry.provenance),
                "prev_hash": head.hash,
                "hash": digest,
            },
        )
        self._db.execute(
            _INSERT_POSTING,
            [
                {
                    "entry_id": entry_id,
                    "member_id": head.member_id,
                    "account": p.account.value,
                    "points": p.points,
                }
                for p in entry.postings
            ],
        )
        balance = entry.applied_to(head.balance)
        result = self._db.execute(
            _ADVANCE,
            {
                "head_member_id": head.member_id,
                "head_seq": head.seq,
                "available": balance.available,
                "pending": balance.pending,
                "held": balance.held,
                "debt": balance.debt,
                "chain_seq": seq,
                "chain_hash": digest,
            },
        )
        if result.rowcount != 1:
            raise ChainForked(f"member {head.member_id} chain moved past seq {head.seq}")
        return ChainHead(head.member_id, balance, seq, digest)

    def add_lot(
        self,
        member_id: str,
        points: int,
        earned_at: datetime,
        available_at: datetime | None,
        source_id: str | None,
        entry_id: str,
        expires_at: datetime | None = None,
    ) -> str:
        lot_id = new_id()
        self._db.execute(
            _INSERT_LOT,
            {
                "lot_id": lot_id,
                "member_id": member_id,
                "entry_id": entry_id,
                "source_id": source_id,
                "points_original": points,
                "points_remaining": points,
                "pending": available_at is not None,
                "earned_at": earned_at,
                "available_at": available_at,
                "expires_at": expires_at,
            },
        )
        return lot_id

    def lots(self, member_id: str, *, pending: bool) -> list[Lot]:
        rows = self._db.execute(_OPEN_LOTS, {"lots_member_id": member_id, "lots_pending": pending})
        return [Lot(r.lot_id, r.points_remaining, r.earned_at, r.source_id) for r in rows]

    def draw(self, draws: list[LotDraw]) -> None:
        if draws:
            self._db.execute(
                _DRAW, [{"draw_lot_id": d.lot_id, "draw_points": d.points} for d in draws]
            )

    def matured_lots(self, member_id: str, now: datetime) -> list[Lot]:
        rows = self._db.execute(_MATURED, {"lots_member_id": member_id, "lots_now": now})
        return [Lot(r.lot_id, r.points_remaining, r.earned_at, r.source_id) for r in rows]

    def expired_lots(self, member_id: str, now: datetime) -> list[Lot]:
        rows = self._db.execute(_EXPIRED, {"lots_member_id": member_id, "lots_now": now})
        return [Lot(r.lot_id, r.points_remaining, r.earned_at, r.source_id) for r in rows]

    def mark_available(self, lot_ids: list[str]) -> None:
        self._db.execute(update(LotRow).where(LotRow.lot_id.in_(lot_ids)).values(pending=False))

    def history(self, member_id: str, limit: int, before_seq: int | None) -> list[StoredEntry]:
        statement = (
            select(JournalEntryRow)
            .where(JournalEntryRow.member_id == member_id)
            .order_by(JournalEntryRow.seq.desc())
            .limit(limit)
        )
        if before_seq is not None:
            statement = statement.where(JournalEntryRow.seq < before_seq)
        rows = list(self._session.scalars(statement))
        return _with_postings(self._session, rows)


def _with_postings(session: Session, rows: Sequence[JournalEntryRow]) -> list[StoredEntry]:
    if not rows:
        return []
    postings: dict[str, list[Posting]] = {row.entry_id: [] for row in rows}
    for entry_id, account, points in session.execute(
        select(PostingRow.entry_id, PostingRow.account, PostingRow.points)
        .where(PostingRow.entry_id.in_(list(postings)))
        .order_by(PostingRow.posting_id)
    ):
        postings[entry_id].append(Posting(AccountKind(account), int(points)))
    return [_stored(row, tuple(postings[row.entry_id])) for row in rows]


def _stored(row: JournalEntryRow, postings: tuple[Posting, ...]) -> StoredEntry:
    provenance = provenance_of(row)
    entry = JournalEntry.restore(EntryKind(row.kind), postings, provenance, row.occurred_at)
    return StoredEntry(
        row.entry_id, row.member_id, row.seq, entry, row.recorded_at, row.prev_hash, row.hash
    )


class SqlLedgerAudit(SqlRepository):
    """Read-only views for verification and the scheduler."""

    def member_ids(self) -> Iterator[str]:
        yield from self._session.scalars(
            select(MemberBalanceRow.member_id).order_by(MemberBalanceRow.member_id)
        )

    def entries(self, member_id: str) -> Iterator[StoredEntry]:
        batch = 500
        last_seq = 0
        while True:
            rows = list(
                self._session.scalars(
                    select(JournalEntryRow)
                    .where(JournalEntryRow.member_id == member_id)
                    .where(JournalEntryRow.seq > last_seq)
                    .order_by(JournalEntryRow.seq)
                    .limit(batch)
                )
            )
            yield from _with_postings(self._session, rows)
            if len(rows) < batch:
                return
            last_seq = rows[-1].seq

    def stored_balance(self, member_id: str) -> MemberBalance:
        return SqlLedgerRepository(self._session).balance(member_id)

    def lot_totals(self, member_id: str) -> LotTotals:
        available, pending = self._db.execute(
            select(
                func.coalesce(
                    func.sum(case((LotRow.pending.is_(False), LotRow.points_remaining), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(case((LotRow.pending.is_(True), LotRow.points_remaining), else_=0)), 0
                ),
            ).where(LotRow.member_id == member_id)
        ).one()
        return LotTotals(int(available), int(pending))

    def members_with_expired_lots(self, now: datetime, limit: int) -> list[str]:
        return list(
            self._session.scalars(
                select(LotRow.member_id)
                .where(LotRow.pending.is_(False))
                .where(LotRow.points_remaining > 0)
                .where(LotRow.expires_at <= now)
                .distinct()
                .limit(limit)
            )
        )

    def members_with_matured_lots(self, now: datetime, limit: int) -> list[str]:
        return list(
            self._session.scalars(
                select(LotRow.member_id)
                .where(LotRow.pending.is_(True))
                .where(LotRow.points_remaining > 0)
                .where(LotRow.available_at <= now)
                .distinct()
                .limit(limit)
            )
        )


def provenance_of(row: Any) -> Provenance:
    """An entry's provenance from its stored columns (points journal and wallet alike)."""
    return Provenance(
        channel=row.channel,
        store_id=row.store_id,
        source_type=row.source_type,
        source_id=row.source_id,
        reason=row.reason,
        actor=row.actor,
        programme_version=row.programme_version,
        rule_id=row.rule_id,
        extra=dict(row.extra or {}),
    )
