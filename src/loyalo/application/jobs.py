"""Time-based work: holds that timed out, pending points that matured.

Each member is settled in its own short transaction under its lock, so a job
may run from the scheduler and from cron at once and never do anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext


@dataclass(frozen=True, slots=True)
class JobReport:
    members_settled: int
    entries_written: int


def run_due(ctx: AppContext, batch: int = 500) -> JobReport:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        members = {hold.member_id for hold in uow.reservations.open_expired(now, batch)}
        members.update(uow.audit.members_with_matured_lots(now, batch))
    written = 0
    for member_id in sorted(members):  # a fixed order: no two jobs deadlock
        with ctx.uow() as uow:
            head = uow.ledger.lock(member_id)
            settled = ledger_ops.settle_member_timers(uow, head, now)
            written += settled.seq - head.seq
            uow.commit()
    return JobReport(len(members), written)
