"""Purchases earn points; returns take back the points of what was returned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.coupons import till as coupon_till
from loyalo.application.coupons.service import CouponService
from loyalo.application.effects import Effect
from loyalo.application.fingerprint import fingerprint
from loyalo.application.gamification.listener import GamificationListener
from loyalo.application.members import resolve
from loyalo.application.memberships.service import MembershipService
from loyalo.application.outcomes import Credited, Source, credit_awards, remember
from loyalo.application.ports import UnitOfWork
from loyalo.application.rewards.rule_rewards import RuleRewards
from loyalo.application.stamps import line_stamps, stamps_to_take_back
from loyalo.application.stamps import take_back as take_back_stamps
from loyalo.application.tiers import TierChange, TierService
from loyalo.application.wallets import credit_cashback, take_back_cashback
from loyalo.domain.coupons.validation import CouponVerdict, TillCoupon
from loyalo.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    PurchaseNotFound,
    ReceiptConflict,
    ReturnExceedsPurchase,
)
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.expiry import lot_expires_at
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.lots import draw_oldest_first
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.members.member import Member
from loyalo.domain.money import Money
from loyalo.domain.programme.engine.compiled import BASE_RULE, CompiledProgramme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line, check_basket
from loyalo.domain.purchases.purchase import (
    AppliedDiscount,
    LinePoints,
    LineStamps,
    Purchase,
    ReturnRecord,
)
from loyalo.domain.purchases.returns import (
    ReturnedLine,
    line_points_to_take_back,
    points_to_take_back,
    returned_lines,
    share_floor,
)


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
    codes: tuple[str, ...] = ()  # coupon codes (application/coupons/till.py)


_COMMAND_FIELDS = tuple(f.name for f in fields(PurchaseCommand) if f.name != "codes")
_LINE_FIELDS = tuple(f.name for f in fields(Line))


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    purchase: Purchase
    balance: MemberBalance
    effects: tuple[Effect, ...]
    replayed: bool
    outcome: Outcome | None = None  # None for a resent receipt


@dataclass(frozen=True, slots=True)
class Quote:
    """A checkout quote: what the till should apply and what the member would get."""

    outcome: Outcome
    total_minor: int
    to_pay_minor: int
    available_points: int
    redeemable_points: int  # points that could pay for this basket, at most its value
    redeemable_value: Money
    coupons: tuple[CouponVerdict, ...] = ()  # each code sent, in order: applies, or why not


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
    """What ``asdict`` gives, built directly: a receipt of 30 lines is hashed on every sale."""
    document: dict[str, Any] = {
        name: getattr(command, name) for name in _COMMAND_FIELDS if name != "lines"
    }
    document["member"] = member_id
    document["lines"] = [
        {name: getattr(line, name) for name in _LINE_FIELDS} for line in command.lines
    ]
    if command.codes:  # absent, not empty: receipts recorded before coupons keep their print
        document["codes"] = list(coupon_till.normalised(command.codes))
    return fingerprint(document)


def _check_command(programme: CompiledProgramme, command: PurchaseCommand) -> None:
    currency = programme.document.currency
    if command.currency != currency:
        raise CurrencyMismatch(f"the programme runs in {currency}, not {command.currency}")
    check_basket(command.lines, command.total_minor)


def _purchase(
    command: PurchaseCommand,
    member_id: str,
    purchase_id: str,
    print_: str,
    programme: CompiledProgramme,
    outcome: Outcome,
    credited: Credited,
    line_stamps: tuple[LineStamps, ...],
) -> Purchase:
    return Purchase(
        purchase_id=purchase_id,
        member_id=member_id,
        store_id=command.store_id,
        receipt_id=command.receipt_id,
        channel=command.channel,
        occurred_at=command.occurred_at,
        currency=command.currency,
        total_minor=command.total_minor,
        lines=command.lines,
        points_earned=outcome.points,
        fingerprint=print_,
        entry_id=credited.entry_ids[0] if credited.entry_ids else None,
        programme_version=programme.version,
        discount_minor=outcome.discount_minor,
        discounts=tuple(
            AppliedDiscount(d.rule_id, d.source.value, d.amount_minor, d.description)
            for d in outcome.discounts
        ),
        line_points=_line_points(outcome),
        line_stamps=line_stamps,
    )


def _line_points(outcome: Outcome) -> tuple[LinePoints, ...]:
    result: dict[tuple[int, str], int] = defaultdict(int)
    for award in outcome.awards:
        for index, points in award.lines.items():
            result[index, award.rule_id] += points
        unattributed = award.points - sum(award.lines.values())
        if unattributed:  # nothing left to pay on any line: the first line carries it
            result[0, award.rule_id] += unattributed
    return tuple(
        LinePoints(index, rule, points) for (index, rule), points in sorted(result.items())
    )


def _quote(
    programme: CompiledProgramme, outcome: Outcome, balance: MemberBalance, command: PurchaseCommand
) -> Quote:
    terms = programme.terms
    to_pay = outcome.net_total_minor
    redeemable = min(balance.available, terms.points_for_value(Money(to_pay, command.currency)))
    return Quote(
        outcome=outcome,
        total_minor=command.total_minor,
        to_pay_minor=to_pay,
        available_points=balance.available,
        redeemable_points=redeemable,
        redeemable_value=terms.value_of_points(redeemable),
    )


def _tier_effect(change: TierChange, version: int) -> Effect:
    return Effect("tier_changed", 0, change.description, None, version, f"tier:{change.to_tier}")


class PurchaseListener(Protocol):
    """Told of each recorded purchase and return inside its transaction (referrals)."""

    def members_to_lock(
        self, uow: UnitOfWork, member_id: str, returned_purchase: str | None = None
    ) -> tuple[str, ...]:
        """Other members the purchase (or the return of ``returned_purchase``) may write to.

        They are locked right after the member, before any shared row (a campaign budget,
        a coupon, a gift card): members always lock before shared rows, so no two sales
        can wait on each other in a cycle."""
        ...

    def purchased(self, uow: UnitOfWork, purchase: Purchase) -> tuple[Effect, ...]: ...
    def returned(
        self, uow: UnitOfWork, purchase: Purchase, *, fully: bool, return_id: str
    ) -> tuple[Effect, ...]: ...


class PurchaseService:
    def __init__(self, ctx: AppContext, listener: PurchaseListener | None = None) -> None:
        self._ctx = ctx
        self._tiers = TierService(ctx)
        self._memberships = MembershipService(ctx)
        self._gamification = GamificationListener()
        self._listener = listener
        self._rule_rewards = RuleRewards.of(ctx)
        self._coupons = CouponService(ctx)

    def quote(self, uow: UnitOfWork, command: PurchaseCommand) -> Quote:
        """What the purchase would get, written nowhere."""
        programme = self._ctx.programmes.compiled(uow)
        _check_command(programme, command)
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        codes = coupon_till.normalised(command.codes)
        policy = programme.document.coupons
        checked = coupon_till.check(uow, codes, member.member_id, command.occurred_at, policy)
        facts = self._facts(uow, programme, member, command, now, checked.to_apply)
        outcome = self._evaluate(uow, programme, facts, member.member_id, locked=False)
        balance = uow.ledger.balance(member.member_id)
        quote = _quote(programme, outcome, balance, command)
        return replace(quote, coupons=coupon_till.verdicts(codes, checked, outcome))

    def record(self, uow: UnitOfWork, command: PurchaseCommand) -> PurchaseResult:
        programme = self._ctx.programmes.compiled(uow)
        _check_command(programme, command)
        member = resolve(uow, command.member)
        now = self._ctx.clock.now()
        head = uow.ledger.lock(member.member_id)  # serialises this member's writes
        self._lock_others(uow, member.member_id, None)
        print_ = _content_fingerprint(command, member.member_id)
        existing = uow.purchases.by_receipt(command.store_id, command.receipt_id)
        if existing is not None:
            return self._resent(uow, existing, print_)
        head = ledger_ops.settle_member_timers(uow, head, now)
        codes = coupon_till.normalised(command.codes)
        policy = programme.document.coupons
        checked = coupon_till.check(uow, codes, member.member_id, command.occurred_at, policy)
        facts = self._facts(uow, programme, member, command, now, checked.to_apply)
        outcome = self._evaluate(uow, programme, facts, member.member_id, locked=True)
        coupon_till.require_all_apply(coupon_till.verdicts(codes, checked, outcome))
        purchase_id = new_id()
        source = Source(
            "purchase", purchase_id, command.channel, command.store_id, command.occurred_at
        )
        credited = credit_awards(
            uow, head, programme, outcome, source, now, self._expiry(programme, command)
        )
        stamps = line_stamps(outcome)
        purchase = _purchase(
            command, member.member_id, purchase_id, print_, programme, outcome, credited, stamps
        )
        uow.purchases.add(purchase)
        issuer = self._rule_rewards.issuer(uow, programme)
        effects = [
            *coupon_till.use(uow, outcome, purchase_id, member.member_id, command.currency, now),
            *credited.effects,
            # after the points: the wallet row is locked after the balance row, always
            *credit_cashback(uow, member.member_id, programme, outcome, source, now),
            *remember(uow, member.member_id, programme, outcome, source, now, issuer),
        ]
        gamified = self._gamification.on_purchase(
            uow, credited.head, programme, facts, source, now, issuer
        )
        effects.extend(gamified.effects)
        change = self._tiers.record_activity(
            uow,
            programme.document,
            programme.version,
            member.member_id,
            command.occurred_at,
            spend_minor=outcome.net_total_minor,
            points=outcome.points,
        )
        if change is not None:
            effects.append(_tier_effect(change, programme.version))
        if not outcome.awards and not outcome.cashback:
            effects.insert(
                0,
                Effect("points_earned", 0, "the purchase earns no points", None, programme.version),
            )
        balance = gamified.head.balance
        heard = self._listener.purchased(uow, purchase) if self._listener else ()
        if heard:  # the listener wrote to this member's ledger after ``credited``
            effects.extend(heard)
            balance = uow.ledger.balance(member.member_id)
        return PurchaseResult(purchase, balance, tuple(effects), False, outcome)

    def _lock_others(self, uow: UnitOfWork, member_id: str, returned: str | None) -> None:
        if self._listener is not None:
            for other in self._listener.members_to_lock(uow, member_id, returned):
                uow.ledger.lock(other)

    def _facts(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        member: Member,
        command: PurchaseCommand,
        now: datetime,
        coupons: tuple[TillCoupon, ...] = (),
    ) -> PurchaseFacts:
        standing = self._tiers.standing(
            uow, programme.document, member.member_id, now, command.total_minor
        )
        tier, spent = standing.tier, standing.spent_minor
        plan = self._memberships.plan_at(uow, programme, member.member_id, command.occurred_at)
        return PurchaseFacts(
            lines=command.lines,
            at=command.occurred_at,
            member=MemberView.of(
                member,
                tier.id if tier else None,
                Decimal(spent).scaleb(-programme.exponent),
                plan.id if plan else None,
            ),
            tier=tier,
            channel=command.channel,
            store=command.store_id,
            spent_before_minor=spent,
            plan=plan,
            coupons=coupons,
        )

    def _evaluate(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        facts: PurchaseFacts,
        member_id: str,
        *,
        locked: bool,
    ) -> Outcome:
        def budget_left(rule_id: str) -> int | None:
            budget = programme.budgets.get(rule_id)
            if budget is None:
                return None
            given = uow.rules.lock_budget(rule_id) if locked else uow.rules.budget_given(rule_id)
            return budget - given

        return evaluate_purchase(
            programme,
            facts,
            lambda rule_id, bucket: uow.rules.usage_count(member_id, rule_id, bucket),
            budget_left,
        )

    def _expiry(self, programme: CompiledProgramme, command: PurchaseCommand) -> datetime | None:
        return lot_expires_at(programme.document.expiry, command.occurred_at, programme.zone)

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
        self._lock_others(uow, purchase.member_id, purchase.purchase_id)
        head = ledger_ops.settle_member_timers(uow, head, now)
        earlier = uow.purchases.returns(purchase.purchase_id)
        already = _returned_quantities(earlier)
        requested = (
            None if command.lines is None else _line_indices(purchase.lines, already, command.lines)
        )
        returned = returned_lines(purchase.lines, already, requested)
        value = sum(r.value_minor for r in returned)
        before_value = sum(r.value_minor for r in earlier)
        by_rule = _points_back(purchase, already, returned, before_value, value)
        return_id = new_id()
        occurred_at = command.occurred_at or now
        head, taken = self._claw_back(uow, head, purchase, by_rule, return_id, occurred_at, now)
        record = ReturnRecord(
            return_id=return_id,
            purchase_id=purchase.purchase_id,
            occurred_at=occurred_at,
            value_minor=value,
            points_taken=sum(t.points for t in taken),
            debt_points=sum(t.plan.to_debt for t in taken),
            line_quantities={r.line_index: r.quantity for r in returned},
            entry_id=taken[0].entry_id if taken else None,
        )
        uow.purchases.add_return(record)
        paid_back = share_floor(purchase.paid_minor, before_value + value, purchase.total_minor)
        paid_back -= share_floor(purchase.paid_minor, before_value, purchase.total_minor)
        programme = self._ctx.programmes.compiled(uow)
        self._tiers.record_activity(
            uow,
            programme.document,
            programme.version,
            purchase.member_id,
            occurred_at,
            spend_minor=-paid_back,
            points=-record.points_taken,
        )
        effects = tuple(e for t in taken for e in _return_effects(t))
        if not effects:
            effects = (Effect("points_returned", 0, "no points to take back", None),)
        returning = {r.line_index: r.quantity for r in returned}
        effects += take_back_cashback(
            uow, purchase, already, returning, return_id, occurred_at, now
        )
        stamps = stamps_to_take_back(purchase, already, returning)
        effects += take_back_stamps(uow, purchase, stamps, now)
        fully = _fully_returned(purchase.lines, already, returning)
        if fully:
            effects += self._gamification.on_full_return(uow, programme, purchase.purchase_id)
            effects += coupon_till.give_back(uow, self._coupons, purchase.purchase_id, now)
        balance = head.balance
        if self._listener is not None:
            heard = self._listener.returned(uow, purchase, fully=fully, return_id=return_id)
            if heard:
                effects += heard
                balance = uow.ledger.balance(purchase.member_id)
        return ReturnResult(record, purchase, balance, effects)

    def _claw_back(
        self,
        uow: UnitOfWork,
        head: ChainHead,
        purchase: Purchase,
        by_rule: dict[str, int],
        return_id: str,
        occurred_at: datetime,
        now: datetime,
    ) -> tuple[ChainHead, list[_Taken]]:
        """One return entry per rule, so the ledger says whose points went back."""
        taken: list[_Taken] = []
        for rule_id, points in sorted(by_rule.items()):
            if points <= 0:
                continue
            pending_left = sum(
                lot.points_remaining
                for lot in uow.ledger.lots(purchase.member_id, pending=True)
                if lot.source_id == purchase.purchase_id
            )
            plan = movements.clawback(head.balance, points, pending_left)
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
                    programme_version=purchase.programme_version,
                    rule_id=rule_id,
                    extra={"purchase_id": purchase.purchase_id},
                ),
                occurred_at,
                now,
            )
            self._draw_clawed_lots(uow, purchase, plan)
            taken.append(_Taken(rule_id, points, plan, entry_id))
        return head, taken

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


def _fully_returned(
    lines: Sequence[Line], already: dict[int, int], returning: dict[int, int]
) -> bool:
    return all(
        already.get(i, 0) + returning.get(i, 0) >= line.quantity for i, line in enumerate(lines)
    )


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


@dataclass(frozen=True, slots=True)
class _Taken:
    rule_id: str
    points: int
    plan: movements.Clawback
    entry_id: str


def _points_back(
    purchase: Purchase,
    already: dict[int, int],
    returned: Sequence[ReturnedLine],
    before_value: int,
    value: int,
) -> dict[str, int]:
    if not purchase.line_points:  # recorded before points were attributed to lines
        points = points_to_take_back(
            purchase.points_earned, purchase.total_minor, before_value, value
        )
        return {BASE_RULE: points}
    return line_points_to_take_back(
        [(p.line_index, p.rule_id, p.points) for p in purchase.line_points],
        [line.quantity for line in purchase.lines],
        already,
        {r.line_index: r.quantity for r in returned},
    )


def _return_effects(taken: _Taken) -> tuple[Effect, ...]:
    plan = taken.plan
    effects = [
        Effect(
            "points_returned",
            -taken.points,
            f"{taken.points} points of {taken.rule_id} taken back for the returned goods",
            taken.entry_id,
            None,
            taken.rule_id,
        )
    ]
    if plan.to_debt:
        effects.append(
            Effect(
                "debt_recorded",
                -plan.to_debt,
                f"{plan.to_debt} points were already spent: recorded as a debt, "
                "settled from the next earnings",
                taken.entry_id,
                None,
                taken.rule_id,
            )
        )
    return tuple(effects)
