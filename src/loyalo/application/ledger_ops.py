"""Ledger writes shared by every use case, always under the member's lock."""

from __future__ import annotations

from datetime import datetime, timedelta

from loyalo.application.context import new_id
from loyalo.application.ports import UnitOfWork
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.journal import EntryKind, JournalEntry, Posting, Provenance
from loyalo.domain.ledger.lots import draw_oldest_first
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.reservations.holds import HoldStatus


def post(
    uow: UnitOfWork,
    head: ChainHead,
    kind: EntryKind,
    postings: tuple[Posting, ...],
    provenance: Provenance,
    occurred_at: datetime,
    now: datetime,
) -> tuple[ChainHead, str]:
    entry_id = new_id()
    entry = JournalEntry(kind, postings, provenance, occurred_at)
    return uow.ledger.append(head, entry_id, entry, now), entry_id


def credit(
    uow: UnitOfWork,
    head: ChainHead,
    points: int,
    *,
    kind: EntryKind,
    pending_days: int,
    provenance: Provenance,
    occurred_at: datetime,
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[ChainHead, str | None, movements.Credit | None]:
    """Issue points (or an upward adjustment): settle debt, then open a lot."""
    if points == 0:
        return head, None, None
    pending = pending_days > 0 and kind is EntryKind.EARN
    if kind is EntryKind.ADJUSTMENT:
        plan = movements.adjust_up(head.balance, points)
    else:
        plan = movements.earn(head.balance, points, pending=pending)
    head, entry_id = post(uow, head, kind, plan.postings, provenance, occurred_at, now)
    if plan.credited:
        available_at = now + timedelta(days=pending_days) if pending else None
        uow.ledger.add_lot(
            head.member_id,
            plan.credited,
            now,
            available_at,
            provenance.source_id,
            entry_id,
            expires_at,
        )
    return head, entry_id, plan


def spend_lots(uow: UnitOfWork, member_id: str, points: int, prefer: str | None = None) -> None:
    """Consume available lots oldest first for points that leave the member."""
    if points:
        uow.ledger.draw(
            draw_oldest_first(uow.ledger.lots(member_id, pending=False), points, prefer)
        )


def settle_member_timers(uow: UnitOfWork, head: ChainHead, now: datetime) -> ChainHead:
    """Time-based work for one member, done before any write: expired holds go
    back to the wallet and matured pending points become available."""
    # Expired holds exist only while points are held, matured lots only while some
    # are pending: the balance row (already locked) spares both queries otherwise.
    expired = uow.reservations.open_expired_for(head.member_id, now) if head.balance.held else []
    for hold in expired:
        if uow.reservations.resolve(hold.hold_id, HoldStatus.EXPIRED, None, now):
            head, _ = post(
                uow,
                head,
                EntryKind.RELEASE,
                movements.release(hold.points),
                Provenance(source_type="reservation", source_id=hold.hold_id, reason="expired"),
                hold.expires_at,
                now,
            )
    matured = uow.ledger.matured_lots(head.member_id, now) if head.balance.pending else []
    if matured:
        points = sum(lot.points_remaining for lot in matured)
        uow.ledger.mark_available([lot.lot_id for lot in matured])
        if points:
            head, _ = post(
                uow,
                head,
                EntryKind.PENDING_RELEASE,
                movements.make_available(points),
                Provenance(source_type="job", reason="pending period over"),
                now,
                now,
            )
    return head
