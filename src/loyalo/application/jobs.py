"""Time-based work: holds that timed out, pending points that matured, points that
expired, tier reviews, birthday bonuses and paid memberships whose grace passed.

Each member is settled in its own short transaction under its lock, so a job
may run from the scheduler and from cron at once and never do anything twice:
expired lots are drawn in the same transaction that expires them, a tier review
re-arms its date, and a birthday is an event with a key per year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext
from loyalo.application.events import EventCommand, EventService
from loyalo.application.expiry import expire_member
from loyalo.application.memberships.service import MembershipService, local_day
from loyalo.application.ports import UnitOfWork
from loyalo.application.tiers import TierService
from loyalo.domain.programme.document.expiry import Inactivity
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.tiers.qualification import add_months


@dataclass(frozen=True, slots=True)
class JobReport:
    members_settled: int
    entries_written: int
    tier_changes: int = 0
    birthdays: int = 0
    memberships_lapsed: int = 0


def run_due(ctx: AppContext, batch: int = 500) -> JobReport:
    now = ctx.clock.now()
    with ctx.uow() as uow:
        programme = ctx.programmes.compiled(uow)
        members, reviews = due_members(uow, programme, now, batch)
    written = 0
    for member_id in sorted(members):  # a fixed order: no two jobs deadlock
        with ctx.uow() as uow:
            written += settle_member(uow, programme, member_id, now)
            uow.commit()
    changes = _review_tiers(ctx, reviews, now)
    birthdays = _birthdays(ctx, now, batch)
    lapsed = lapse_memberships(ctx, now, batch)
    return JobReport(len(members), written, changes, birthdays, lapsed)


def due_members(
    uow: UnitOfWork, programme: CompiledProgramme, now: datetime, batch: int
) -> tuple[set[str], list[str]]:
    """Members with timers or expiry due, and members whose tier is due for review."""
    members = {hold.member_id for hold in uow.reservations.open_expired(now, batch)}
    members.update(uow.audit.members_with_matured_lots(now, batch))
    members.update(uow.audit.members_with_expired_lots(now, batch))
    policy = programme.document.expiry
    if isinstance(policy, Inactivity):
        members.update(uow.activity.inactive_since(add_months(now, -policy.months), batch))
    return members, uow.tiers.due_for_review(now, batch)


def settle_member(
    uow: UnitOfWork, programme: CompiledProgramme, member_id: str, now: datetime
) -> int:
    """Holds released, pending points matured, points expired: the entries it wrote."""
    head = uow.ledger.lock(member_id)
    settled = ledger_ops.settle_member_timers(uow, head, now)
    settled = expire_member(uow, settled, programme, now)
    return settled.seq - head.seq


def review_member(
    uow: UnitOfWork, tiers: TierService, programme: CompiledProgramme, member_id: str, now: datetime
) -> bool:
    uow.ledger.lock(member_id)
    change = tiers.review(uow, programme.document, programme.version, member_id, now)
    return change is not None


def _review_tiers(ctx: AppContext, member_ids: list[str], now: datetime) -> int:
    tiers = TierService(ctx)
    changes = 0
    for member_id in sorted(member_ids):
        with ctx.uow() as uow:
            programme = ctx.programmes.compiled(uow)
            changes += review_member(uow, tiers, programme, member_id, now)
            uow.commit()
    return changes


def _birthdays(ctx: AppContext, now: datetime, batch: int) -> int:
    with ctx.uow() as uow:
        programme = ctx.programmes.compiled(uow)
        if not programme.document.bonuses.birthday_points:
            return 0
        today = now.astimezone(programme.zone).date()
        members = uow.members.born_on(today.month, today.day, batch)
    events = EventService(ctx)
    given = 0
    for member in members:
        key = f"birthday-{today.year}"
        with ctx.uow() as uow:
            command = EventCommand(member.member_id, "birthday", channel="system", event_key=key)
            result = events.record_for(uow, member, command)
            given += not result.replayed
            uow.commit()
    return given


def lapse_memberships(ctx: AppContext, now: datetime, batch: int = 500) -> int:
    """Record the lapse of every membership whose grace has passed unpaid (the benefits
    already stopped: a purchase reads the dates, not this status)."""
    with ctx.uow() as uow:
        day = local_day(ctx.programmes.compiled(uow), now)
        due = uow.memberships.due_to_lapse(day, batch)
    memberships = MembershipService(ctx)
    lapsed = 0
    for member_id, plan_id in due:  # ordered by member: no two jobs deadlock
        with ctx.uow() as uow:
            lapsed += memberships.lapse_due(uow, member_id, plan_id, now)
            uow.commit()
    return lapsed
