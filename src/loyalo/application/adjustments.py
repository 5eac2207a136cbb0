"""Manual corrections by an admin: always with a reason, always in the journal."""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.effects import Effect
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import InvalidInput
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import EntryKind, Provenance


@dataclass(frozen=True, slots=True)
class AdjustmentCommand:
    member: str
    points: int  # positive adds, negative removes
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class AdjustmentResult:
    adjustment_id: str
    member_id: str
    balance: MemberBalance
    effects: tuple[Effect, ...]


class AdjustmentService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def adjust(self, uow: UnitOfWork, command: AdjustmentCommand) -> AdjustmentResult:
        if command.points == 0:
            raise InvalidInput("an adjustment must change the balance", field="points")
        if len(command.reason.strip()) < 3:
            raise InvalidInput("an adjustment needs a reason", field="reason")
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(member.member_id)
        head = ledger_ops.settle_member_timers(uow, head, now)
        adjustment_id = new_id()
        provenance = Provenance(
            source_type="adjustment",
            source_id=adjustment_id,
            reason=command.reason.strip(),
            actor=command.actor,
        )
        if command.points > 0:
            head, entry_id, _ = ledger_ops.credit(
                uow,
                head,
                command.points,
                kind=EntryKind.ADJUSTMENT,
                pending_days=0,
                provenance=provenance,
                occurred_at=now,
                now=now,
            )
        else:
            postings = movements.adjust_down(head.balance, -command.points)
            head, entry_id = ledger_ops.post(
                uow, head, EntryKind.ADJUSTMENT, postings, provenance, now, now
            )
            ledger_ops.spend_lots(uow, member.member_id, -command.points)
        effect = Effect("adjustment", command.points, command.reason.strip(), entry_id)
        return AdjustmentResult(adjustment_id, member.member_id, head.balance, (effect,))
