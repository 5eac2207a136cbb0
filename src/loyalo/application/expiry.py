"""Expiring points by the programme's policy, one member at a time under its lock."""

from __future__ import annotations

from datetime import datetime

from loyalo.application import ledger_ops
from loyalo.application.ports import UnitOfWork
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.expiry import inactivity_deadline
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.lots import Lot, LotDraw
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.programme.document.expiry import Inactivity
from loyalo.domain.programme.engine.compiled import CompiledProgramme


def expire_member(
    uow: UnitOfWork, head: ChainHead, programme: CompiledProgramme, now: datetime
) -> ChainHead:
    """Expire what is due for this member: dated lots, or everything after inactivity."""
    policy = programme.document.expiry
    if isinstance(policy, Inactivity):
        last = uow.activity.totals(head.member_id).last_at
        if last is None or inactivity_deadline(last, policy.months) > now:
            return head
        lots = uow.ledger.lots(head.member_id, pending=False)
        reason = f"no activity for {policy.months} months"
    else:
        lots = uow.ledger.expired_lots(head.member_id, now)
        reason = f"expiry policy {policy.policy}"
    return _expire(uow, head, lots, programme.version, reason, now)


def _expire(
    uow: UnitOfWork,
    head: ChainHead,
    lots: list[Lot],
    version: int,
    reason: str,
    now: datetime,
) -> ChainHead:
    points = min(sum(lot.points_remaining for lot in lots), head.balance.available)
    if points <= 0:
        return head
    head, _ = ledger_ops.post(
        uow,
        head,
        EntryKind.EXPIRY,
        movements.expire(head.balance, points),
        Provenance(source_type="job", reason=reason, programme_version=version),
        now,
        now,
    )
    draws: list[LotDraw] = []
    left = points
    for lot in lots:  # oldest first
        take = min(lot.points_remaining, left)
        if take:
            draws.append(LotDraw(lot.lot_id, take))
            left -= take
    uow.ledger.draw(draws)
    return head
