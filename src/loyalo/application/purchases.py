"""Purchases earn points; returns take back the points of what was returned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.effects import Effect
from loyalo.application.fingerprint import fingerprint
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    PurchaseNotFound,
    ReceiptConflict,
    ReturnExceedsPurchase,
)
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.lots import draw_oldest_first
from loyalo.domain.money import Money
from loyalo.domain.purchases.basket import Line, check_basket
from loyalo.domain.purchases.purchase import Purchase, ReturnRecord
from loyalo.domain.purchases.returns import points_to_take_back, returned_lines

BASE_RULE = "base-rate"


@dataclass(frozen=True, slots=True)
class PurchaseCommand:
    member: str
    store_id: str
    receipt_id: str
    channel: str
    occurred_at: datetime
    currency: str
    total_minor: int
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    purchase: Purchase
    balance: MemberBalance
    effects: tuple[Effect, ...]
    replayed: bool


@dataclass(frozen=True, slots=True)
class ReturnLineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class ReturnCommand:
    purchase_id: str
    lines: tuple[ReturnLineRequest, ...] | None  # None: the whole receipt
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReturnResult:
    record: ReturnRecord
    purchase: Purchase
    balance: MemberBalance
    effects: tuple[Effect, ...]


def _content_fingerprint(command: PurchaseCommand, member_id: str) -> str:
    document = asdict(command)
    document["member"] = member_id
    return fingerprint(document)


class PurchaseService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def record(self, uow: UnitOfWork, command: PurchaseCommand) -> PurchaseResult:
        terms = self._ctx.terms
        if command.currency != terms.currency:
            raise CurrencyMismatch(
                f"the programme runs in {terms.currency}, not {command.currency}"
            )
        check_basket(command.lines, command.total_minor)
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(member.member_id)  # serialises this member's writes
        print_ = _content_fingerprint(command, member.member_id)
        existing = uow.purchases.by_receipt(command.store_id, command.receipt_id)
        if existing is not None:
            return self._resent(uow, existing, print_)
        head = ledger_ops.settle_member_timers(uow, head, now)
        purchase_id = new_id()
        points = terms.points_earned(Money(command.total_minor, command.currency))
        provenance = Provenance(
            channel=command.channel,
            store_id=command.store_id,
            source_type="purchase",
            source_id=purchase_id,
            programme_version=terms.version,
            rule_id=BASE_RULE,
        )
        head, entry_id, plan = ledger_ops.credit(
            uow,
            head,
            points,
            kind=EntryKind.EARN,
            pending_days=terms.pending_days,
            provenance=provenance,
            occurred_at=command.occurred_at,
            now=now,
        )
        purchase = Purchase(
            purchase_id=purchase_id,
            member_id=member.member_id,
            store_id=command.store_id,
            receipt_id=command.receipt_id,
            channel=command.channel,
            occurred_at=command.occurred_at,
            currency=command.currency,
            total_minor=command.total_minor,
            lines=command.lines,
            points_earned=points,
            fingerprint=print_,
            entry_id=entry_id,
        )
        uow.purchases.add(purchase)
        effects = _earn_effects(points, plan, entry_id, terms.version, terms.pending_days)
        return PurchaseResult(purchase, head.balance, effects, replayed=False)

    def _resent(self, uow: UnitOfWork, existing: Purchase, print_: str) -> PurchaseResult:
        """A till resending a sale earns nothing more; different content is a conflict."""
        if existing.fingerprint != print_:
            raise ReceiptConflict(
                f"receipt {existing.receipt_id} at store {existing.store_id} was recorded "
                "with different content",
                purchase_id=existing.purchase_id,
            )
        balance = uow.ledger.balance(existing.member_id)
        effect = Effect(
            "duplicate_receipt", 0, "this receipt was already recorded; nothing was earned again"
        )
        return PurchaseResult(existing, balance, (effect,), replayed=True)

    def get(self, uow: UnitOfWork, purchase_id: str) -> Purchase:
        purchase = uow.purchases.get(purchase_id)
        if purchase is None:
            raise PurchaseNotFound(f"no purchase {purchase_id}")
        return purchase

    def record_return(self, uow: UnitOfWork, command: ReturnCommand) -> ReturnResult:
        purchase = self.get(uow, command.purchase_id)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(purchase.member_id)
        head = ledger_ops.settle_member_timers(uow, head, now)
        earlier = uow.purchases.returns(purchase.purchase_id)
        already = _returned_quantities(earlier)
        requested = (
            None if command.lines is None else _line_indices(purchase.lines, already, command.lines)
        )
        returned = returned_lines(purchase.lines, already, requested)
        value = sum(r.value_minor for r in returned)
        before_value = sum(r.value_minor for r in earlier)
        points = points_to_take_back(
            purchase.points_earned, purchase.total_minor, before_value, value
        )
        return_id = new_id()
        pending_left = sum(
            lot.points_remaining
            for lot in uow.ledger.lots(purchase.member_id, pending=True)
            if lot.source_id == purchase.purchase_id
        )
        plan = movements.clawback(head.balance, points, pending_left)
        entry_id = None
        if points:
            head, entry_id = ledger_ops.post(
                uow,
                head,
                EntryKind.RETURN,
                plan.postings,
                Provenance(
                    channel=purchase.channel,
                    store_id=purchase.store_id,
                    source_type="return",
                    source_id=return_id,
                    programme_version=self._ctx.terms.version,
                    rule_id=BASE_RULE,
                    extra={"purchase_id": purchase.purchase_id},
                ),
                command.occurred_at or now,
                now,
            )
            self._draw_clawed_lots(uow, purchase, plan)
        record = ReturnRecord(
            return_id=return_id,
            purchase_id=purchase.purchase_id,
            occurred_at=command.occurred_at or now,
            value_minor=value,
            points_taken=points,
            debt_points=plan.to_debt,
            line_quantities={r.line_index: r.quantity for r in returned},
            entry_id=entry_id,
        )
        uow.purchases.add_return(record)
        return ReturnResult(record, purchase, head.balance, _return_effects(plan, entry_id))

    def _draw_clawed_lots(
        self, uow: UnitOfWork, purchase: Purchase, plan: movements.Clawback
    ) -> None:
        if plan.from_pending:
            own = [
                lot
                for lot in uow.ledger.lots(purchase.member_id, pending=True)
                if lot.source_id == purchase.purchase_id
            ]
            uow.ledger.draw(draw_oldest_first(own, plan.from_pending))
        ledger_ops.spend_lots(uow, purchase.member_id, plan.from_available, purchase.purchase_id)


def _returned_quantities(records: Sequence[ReturnRecord]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for record in records:
        for index, quantity in record.line_quantities.items():
            totals[index] += quantity
    return dict(totals)


def _line_indices(
    lines: Sequence[Line], already: dict[int, int], wanted: Sequence[ReturnLineRequest]
) -> dict[int, int]:
    """Map returned SKUs to receipt lines, filling the first line with room left."""
    left = {i: line.quantity - already.get(i, 0) for i, line in enumerate(lines)}
    result: dict[int, int] = defaultdict(int)
    for request in wanted:
        if request.quantity <= 0:
            raise InvalidInput("a returned quantity must be positive", field="lines")
        quantity = request.quantity
        for index, line in enumerate(lines):
            if line.sku != request.sku or quantity == 0:
                continue
            take = min(quantity, left[index])
            if take == 0:  # this line is fully returned: not a zero-quantity return of it
                continue
            left[index] -= take
            result[index] += take
            quantity -= take
        if quantity:
            if not any(line.sku == request.sku for line in lines):
                raise InvalidInput(f"SKU {request.sku} is not on this receipt", field="lines")
            raise ReturnExceedsPurchase(
                f"SKU {request.sku}: {request.quantity} returned, "
                f"{request.quantity - quantity} left",
                sku=request.sku,
            )
    return dict(result)


def _earn_effects(
    points: int,
    plan: movements.Credit | None,
    entry_id: str | None,
    version: int,
    pending_days: int,
) -> tuple[Effect, ...]:
    if plan is None:
        return (
            Effect("points_earned", 0, "the purchase earns no points", None, version, BASE_RULE),
        )
    where = f"pending for {pending_days} days" if pending_days else "available now"
    effects = [
        Effect(
            "points_earned",
            points,
            f"{points} points at the base rate, {where}",
            entry_id,
            version,
            BASE_RULE,
        )
    ]
    if plan.debt_settled:
        effects.append(
            Effect(
                "debt_settled",
                plan.debt_settled,
                f"{plan.debt_settled} points settled an earlier debt",
                entry_id,
                version,
                BASE_RULE,
            )
        )
    return tuple(effects)


def _return_effects(plan: movements.Clawback, entry_id: str | None) -> tuple[Effect, ...]:
    taken = plan.from_pending + plan.from_available + plan.to_debt
    effects = [
        Effect(
            "points_returned", -taken, f"{taken} points taken back for the returned goods", entry_id
        )
    ]
    if plan.to_debt:
        effects.append(
            Effect(
                "debt_recorded",
                -plan.to_debt,
                f"{plan.to_debt} points were already spent: recorded as a debt, "
                "settled from the next earnings",
                entry_id,
            )
        )
    return tuple(effects)
