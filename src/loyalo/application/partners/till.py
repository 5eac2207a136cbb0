"""A partner's tills: look a member up, earn, return, quote, and spend points.

Each call runs the programme's own use cases (``PurchaseService``,
``ReservationService``) in the caller's unit of work, so points move only
through the ledger, and records what it did as a ``PartnerTransaction`` in the
same transaction. The use cases get a clock fixed at one instant, so the
transaction, the ledger entries and the rates that price them share it; a
sale is recorded under the partner's store id (``partner_store``) and earns
the partner's rate (``domain/partners/earning.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from loyalo.application.context import AppContext, new_id
from loyalo.application.members import resolve
from loyalo.application.partners.earning import FixedProgramme, PartnerProgrammes
from loyalo.application.partners.ports import PartnerTransaction, TransactionKind
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseResult,
    PurchaseService,
    Quote,
    ReturnCommand,
    ReturnResult,
)
from loyalo.application.reservations import HoldResult, ReservationService, ReserveCommand
from loyalo.domain.errors import (
    InvalidInput,
    PartnerNotFound,
    PartnerSuspended,
    PurchaseNotFound,
    ReceiptConflict,
    ReservationNotFound,
)
from loyalo.domain.money import Money
from loyalo.domain.partners.partner import Partner, own_store, partner_store, rates_at


@dataclass(frozen=True, slots=True)
class FixedClock:
    at: datetime

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True, slots=True)
class MemberAtTill:
    """What a partner's till learns of a member: enough to serve them, no more."""

    member_id: str
    card_number: str
    first_name: str | None
    available_points: int
    available_value: Money


class PartnerTill:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._programmes = PartnerProgrammes(ctx.programmes)

    def lookup(self, uow: UnitOfWork, partner_id: str, identifier: str) -> MemberAtTill:
        self._active(uow, partner_id)
        member = resolve(uow, identifier)
        available = uow.ledger.balance(member.member_id).available
        value = self._ctx.terms_in(uow).value_of_points(available)
        return MemberAtTill(
            member.member_id, member.card_number, member.first_name, available, value
        )

    def quote(self, uow: UnitOfWork, partner_id: str, command: PurchaseCommand) -> Quote:
        now = self._ctx.clock.now()
        purchases = self._purchases(uow, self._active(uow, partner_id), now)
        return purchases.quote(uow, self._at_partner(partner_id, command))

    def record_purchase(
        self, uow: UnitOfWork, partner_id: str, command: PurchaseCommand
    ) -> PurchaseResult:
        now = self._ctx.clock.now()
        purchases = self._purchases(uow, self._active(uow, partner_id), now)
        result = purchases.record(uow, self._at_partner(partner_id, command))
        purchase = result.purchase
        if result.replayed:  # a resent receipt: the original is the partner's, or nobody's here
            if (
                uow.partners.find(partner_id, TransactionKind.PURCHASE, purchase.purchase_id)
                is None
            ):
                raise ReceiptConflict(
                    f"receipt {command.receipt_id} at store {command.store_id} was recorded "
                    "outside this partner's tills"
                )
            return result
        uow.partners.add_transaction(
            PartnerTransaction(
                transaction_id=new_id(),
                partner_id=partner_id,
                kind=TransactionKind.PURCHASE,
                source_id=purchase.purchase_id,
                member_id=purchase.member_id,
                store_id=command.store_id,
                receipt_id=purchase.receipt_id,
                purchase_id=purchase.purchase_id,
                points=purchase.points_earned,
                amount_minor=purchase.paid_minor,
                currency=purchase.currency,
                occurred_at=purchase.occurred_at,
                recorded_at=now,
            )
        )
        return result

    def record_return(
        self, uow: UnitOfWork, partner_id: str, command: ReturnCommand
    ) -> ReturnResult:
        now = self._ctx.clock.now()
        partner = self._active(uow, partner_id)
        if uow.partners.find(partner_id, TransactionKind.PURCHASE, command.purchase_id) is None:
            raise PurchaseNotFound(f"no purchase {command.purchase_id} at this partner")
        result = self._purchases(uow, partner, now).record_return(uow, command)
        record, purchase = result.record, result.purchase
        uow.partners.add_transaction(
            PartnerTransaction(
                transaction_id=new_id(),
                partner_id=partner_id,
                kind=TransactionKind.RETURN,
                source_id=record.return_id,
                member_id=purchase.member_id,
                store_id=own_store(partner_id, purchase.store_id),
                receipt_id=purchase.receipt_id,
                purchase_id=purchase.purchase_id,
                points=record.points_taken,
                amount_minor=record.value_minor,
                currency=purchase.currency,
                occurred_at=record.occurred_at,
                recorded_at=now,
            )
        )
        return result

    def reserve(self, uow: UnitOfWork, partner_id: str, command: ReserveCommand) -> HoldResult:
        now = self._ctx.clock.now()
        self._active(uow, partner_id)
        if command.store_id is None:  # the hold's entry says where the points were spent
            raise InvalidInput("a hold at a partner's till names its store_id", field="store_id")
        at_partner = replace(command, store_id=partner_store(partner_id, command.store_id))
        result = self._reservations(now).reserve(uow, at_partner)
        self._record_hold(uow, partner_id, TransactionKind.HOLD, result, command.store_id, now)
        return result

    def commit(
        self, uow: UnitOfWork, partner_id: str, hold_id: str, points: int | None
    ) -> HoldResult:
        now = self._ctx.clock.now()
        store = self._own_hold(uow, partner_id, hold_id)
        stored = partner_store(partner_id, store) if store else None
        result = self._reservations(now).commit(uow, hold_id, points, store_id=stored)
        self._record_hold(uow, partner_id, TransactionKind.COMMIT, result, store, now)
        return result

    def release(self, uow: UnitOfWork, partner_id: str, hold_id: str) -> HoldResult:
        now = self._ctx.clock.now()
        store = self._own_hold(uow, partner_id, hold_id)
        stored = partner_store(partner_id, store) if store else None
        result = self._reservations(now).release(uow, hold_id, store_id=stored)
        self._record_hold(uow, partner_id, TransactionKind.RELEASE, result, store, now)
        return result

    def _active(self, uow: UnitOfWork, partner_id: str) -> Partner:
        partner = uow.partners.get(partner_id)
        if partner is None:
            raise PartnerNotFound(f"no partner {partner_id}", partner_id=partner_id)
        if not partner.active:
            raise PartnerSuspended(f"partner {partner_id} is {partner.status}")
        return partner

    def _own_hold(self, uow: UnitOfWork, partner_id: str, hold_id: str) -> str | None:
        """The store of the partner's hold; another's is not found."""
        self._active(uow, partner_id)
        hold = uow.partners.find(partner_id, TransactionKind.HOLD, hold_id)
        if hold is None:
            raise ReservationNotFound(f"no reservation {hold_id} at this partner")
        return hold.store_id

    def _purchases(self, uow: UnitOfWork, partner: Partner, now: datetime) -> PurchaseService:
        rates = rates_at(uow.partners.rates(partner.partner_id), now)
        programme = self._programmes.compiled_for(
            uow, partner.partner_id, rates.earn_points_per_unit
        )
        ctx = replace(self._ctx, clock=FixedClock(now), programmes=FixedProgramme(programme))
        return PurchaseService(ctx)

    def _reservations(self, now: datetime) -> ReservationService:
        return ReservationService(replace(self._ctx, clock=FixedClock(now)))

    def _at_partner(self, partner_id: str, command: PurchaseCommand) -> PurchaseCommand:
        if command.codes:  # the programme's coupons are its own offers, funded by it
            raise InvalidInput("a partner's till takes no coupon codes", field="codes")
        return replace(command, store_id=partner_store(partner_id, command.store_id))

    def _record_hold(
        self,
        uow: UnitOfWork,
        partner_id: str,
        kind: TransactionKind,
        result: HoldResult,
        store_id: str | None,
        now: datetime,
    ) -> None:
        hold = result.hold
        points = {
            TransactionKind.HOLD: hold.points,
            TransactionKind.COMMIT: hold.committed_points or 0,
            TransactionKind.RELEASE: hold.points,
        }[kind]
        uow.partners.add_transaction(
            PartnerTransaction(
                transaction_id=new_id(),
                partner_id=partner_id,
                kind=kind,
                source_id=hold.hold_id,
                member_id=hold.member_id,
                store_id=store_id,
                receipt_id=None,
                purchase_id=None,
                points=points,
                amount_minor=result.value.amount_minor,
                currency=result.value.currency,
                occurred_at=now,
                recorded_at=now,
            )
        )
