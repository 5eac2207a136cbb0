"""Spending at the till in two phases: hold, then commit or release, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import HoldAlreadyResolved, InvalidInput, ReservationNotFound
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.money import Money
from loyalo.domain.programme.terms import ProgrammeTerms
from loyalo.domain.reservations.holds import Hold, HoldStatus


@dataclass(frozen=True, slots=True)
class ReserveCommand:
    member: str
    points: int | None = None
    amount: Money | None = None  # the money value to pay with points
    ttl_seconds: int | None = None
    store_id: str | None = None
    channel: str | None = None
    reference: str | None = None  # the till's basket or payment reference


@dataclass(frozen=True, slots=True)
class HoldResult:
    hold: Hold
    value: Money
    balance: MemberBalance


class ReservationService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def _points(self, command: ReserveCommand, terms: ProgrammeTerms) -> int:
        if (command.points is None) == (command.amount is None):
            raise InvalidInput("give either points or amount", field="points")
        if command.amount is not None:
            if command.amount.currency != terms.currency:
                raise InvalidInput(f"the programme runs in {terms.currency}", field="amount")
            points = terms.points_for_value(command.amount)
        else:
            points = command.points or 0
        if points <= 0:
            raise InvalidInput("a reservation must hold at least one point", field="points")
        return points

    def reserve(self, uow: UnitOfWork, command: ReserveCommand) -> HoldResult:
        terms = self._ctx.terms_in(uow)
        points = self._points(command, terms)
        ttl = command.ttl_seconds or int(terms.hold_ttl.total_seconds())
        if not 1 <= ttl <= 7 * 24 * 3600:
            raise InvalidInput(
                "ttl_seconds must be between 1 second and 7 days", field="ttl_seconds"
            )
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(member.member_id)
        head = ledger_ops.settle_member_timers(uow, head, now)
        hold_id = new_id()
        hold = Hold(
            hold_id, member.member_id, points, HoldStatus.OPEN, now + timedelta(seconds=ttl)
        )
        head, _ = ledger_ops.post(
            uow,
            head,
            EntryKind.HOLD,
            movements.hold(head.balance, points),
            Provenance(
                channel=command.channel,
                store_id=command.store_id,
                source_type="reservation",
                source_id=hold_id,
                extra={"reference": command.reference} if command.reference else {},
            ),
            now,
            now,
        )
        details: dict[str, Any] = {
            "store_id": command.store_id,
            "channel": command.channel,
            "reference": command.reference,
            "created_at": now,
        }
        uow.reservations.add(hold, details)
        return HoldResult(hold, terms.value_of_points(points), head.balance)

    def get(self, uow: UnitOfWork, hold_id: str) -> Hold:
        hold = uow.reservations.get(hold_id)
        if hold is None:
            raise ReservationNotFound(f"no reservation {hold_id}")
        return hold

    def commit(
        self, uow: UnitOfWork, hold_id: str, points: int | None, *, store_id: str | None = None
    ) -> HoldResult:
        """``store_id``: where the points were spent, for the entry's provenance."""
        return self._resolve(uow, hold_id, HoldStatus.COMMITTED, points, store_id)

    def release(self, uow: UnitOfWork, hold_id: str, *, store_id: str | None = None) -> HoldResult:
        return self._resolve(uow, hold_id, HoldStatus.RELEASED, None, store_id)

    def _resolve(
        self,
        uow: UnitOfWork,
        hold_id: str,
        status: HoldStatus,
        points: int | None,
        store_id: str | None = None,
    ) -> HoldResult:
        hold = self.get(uow, hold_id)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(hold.member_id)
        hold = self.get(uow, hold_id)  # re-read under the lock: another request may have won
        head = ledger_ops.settle_member_timers(uow, head, now)
        hold = self.get(uow, hold_id)  # the sweep may just have expired it
        hold.ensure_open(now)
        committed = hold.points if points is None else points
        if status is HoldStatus.COMMITTED:
            postings = movements.commit(hold.points, committed)
            kind = EntryKind.COMMIT
        else:
            postings, kind, committed = movements.release(hold.points), EntryKind.RELEASE, 0
        stored_commit = committed if status is HoldStatus.COMMITTED else None
        if not uow.reservations.resolve(hold_id, status, stored_commit, now):
            # The member lock makes this unreachable; the conditional update is the
            # store's own guarantee that a hold resolves once.
            raise HoldAlreadyResolved(f"reservation {hold_id} was resolved concurrently")
        head, _ = ledger_ops.post(
            uow,
            head,
            kind,
            postings,
            Provenance(store_id=store_id, source_type="reservation", source_id=hold_id),
            now,
            now,
        )
        if status is HoldStatus.COMMITTED:
            ledger_ops.spend_lots(uow, hold.member_id, committed)
        resolved = Hold(
            hold.hold_id, hold.member_id, hold.points, status, hold.expires_at, stored_commit
        )
        terms = self._ctx.terms_in(uow)
        return HoldResult(resolved, terms.value_of_points(committed), head.balance)
