"""Gift cards as a tender at the till: the quote, the purchase, the return.

The purchase service records the sale exactly as without gift cards (so points
are earned on the goods after discounts, whatever pays for them); the cards then
pay what is left, in the same unit of work, after the member's lock and with
each card's row locked in code order (a fixed order: two tills sharing two cards
cannot deadlock). A resent receipt is answered from what its cards paid the
first time and debits nothing again.

The purchase uses exactly what it reports: a card asked for an ``amount`` pays
that or the sale is refused; a card asked for nothing pays ``min(balance, left)``,
and a card that would pay nothing refuses the sale, so every card the till named
was used. Expiry is judged at the moment of the write, not the receipt's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from loyalo.application.context import AppContext
from loyalo.application.giftcards.ports import PurchaseTender
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseResult,
    PurchaseService,
    Quote,
    ReturnCommand,
    ReturnResult,
)
from loyalo.domain.errors import CurrencyMismatch, GiftCardInsufficientBalance, GiftCardNotFound
from loyalo.domain.giftcards import movements
from loyalo.domain.giftcards.allocation import Claim, Tendered, allocate, refund_share
from loyalo.domain.giftcards.card import GiftCard, display_code, normalise_code
from loyalo.domain.giftcards.movements import MovementKind, MovementSource
from loyalo.domain.money import Money
from loyalo.domain.purchases.purchase import Purchase


@dataclass(frozen=True, slots=True)
class GiftCardTender:
    code: str  # as the till read it
    pin: str | None = None
    amount_minor: int | None = None  # None: as much as the card can pay


@dataclass(frozen=True, slots=True)
class GiftCardPayment:
    code: str
    amount_minor: int
    balance_after_minor: int


@dataclass(frozen=True, slots=True)
class TenderedQuote:
    quote: Quote
    payments: tuple[GiftCardPayment, ...]
    left_to_pay_minor: int


@dataclass(frozen=True, slots=True)
class TenderedPurchase:
    result: PurchaseResult
    payments: tuple[GiftCardPayment, ...]
    left_to_pay_minor: int


@dataclass(frozen=True, slots=True)
class GiftCardRefund:
    code: str
    amount_minor: int
    balance_after_minor: int | None  # None: not refunded (void or expired card)
    refunded: bool


@dataclass(frozen=True, slots=True)
class TenderedReturn:
    result: ReturnResult
    refunds: tuple[GiftCardRefund, ...]


def quote(
    ctx: AppContext,
    uow: UnitOfWork,
    purchases: PurchaseService,
    command: PurchaseCommand,
    tenders: Sequence[GiftCardTender],
) -> TenderedQuote:
    """What each card would pay and hold after; written nowhere, nothing locked.

    Points the member could spend are counted on what the cards leave to pay.
    """
    priced = purchases.quote(uow, command)
    now = ctx.clock.now()
    cards = [_checked(uow.gift_cards.get(normalise_code(t.code)), t, command, now) for t in tenders]
    tendered = allocate(_claims(cards, tenders), priced.to_pay_minor)
    left = tendered.left_to_pay_minor
    if tenders:
        terms = ctx.terms_in(uow)
        redeemable = min(
            priced.available_points, terms.points_for_value(Money(left, command.currency))
        )
        priced = replace(
            priced,
            redeemable_points=redeemable,
            redeemable_value=terms.value_of_points(redeemable),
        )
    return TenderedQuote(priced, _payments(tendered), left)


def record(
    ctx: AppContext,
    uow: UnitOfWork,
    purchases: PurchaseService,
    command: PurchaseCommand,
    tenders: Sequence[GiftCardTender],
) -> TenderedPurchase:
    result = purchases.record(uow, command)  # takes the member's lock first
    purchase = result.purchase
    if result.replayed:
        payments = _paid_before(uow, purchase.purchase_id)
        return TenderedPurchase(result, payments, _left(purchase, payments))
    if not tenders:
        return TenderedPurchase(result, (), purchase.paid_minor)
    now = ctx.clock.now()
    codes = [normalise_code(t.code) for t in tenders]
    locked = {code: uow.gift_cards.lock(code) for code in sorted(set(codes))}
    cards = [
        _checked(locked[code], t, command, now) for code, t in zip(codes, tenders, strict=True)
    ]
    tendered = allocate(_claims(cards, tenders), purchase.paid_minor)
    source = MovementSource(
        channel=purchase.channel,
        store_id=purchase.store_id,
        purchase_id=purchase.purchase_id,
        reference=purchase.receipt_id,
    )
    for position, (card, allocation) in enumerate(zip(cards, tendered.allocations, strict=True)):
        if allocation.amount_minor == 0:
            raise GiftCardInsufficientBalance(
                f"gift card {display_code(card.code)} would pay nothing: "
                "take it off the sale, or pay it another way",
                code=display_code(card.code),
            )
        at = replace(source, tender_position=position)
        moved = movements.redeem(card, allocation.amount_minor, now, at)
        uow.gift_cards.append(card, moved.card, moved.movement, now)
    return TenderedPurchase(result, _payments(tendered), tendered.left_to_pay_minor)


def record_return(
    ctx: AppContext, uow: UnitOfWork, purchases: PurchaseService, command: ReturnCommand
) -> TenderedReturn:
    """The return as ever, then each card gets back its share of the value returned."""
    result = purchases.record_return(uow, command)  # takes the member's lock first
    purchase, record = result.purchase, result.record
    paid = uow.gift_cards.tenders(purchase.purchase_id)
    if not paid:
        return TenderedReturn(result, ())
    before = sum(
        r.value_minor
        for r in uow.purchases.returns(purchase.purchase_id)
        if r.return_id != record.return_id
    )
    source = MovementSource(
        channel=purchase.channel,
        store_id=purchase.store_id,
        purchase_id=purchase.purchase_id,
        return_id=record.return_id,
        reference=purchase.receipt_id,
    )
    now = ctx.clock.now()
    refunds = {
        tender.code: _refund(uow, tender, purchase, before, record.value_minor, source, now)
        for tender in sorted(paid, key=lambda t: t.code)  # the lock order
    }
    ordered = tuple(refunds[t.code] for t in paid if refunds[t.code].amount_minor)
    return TenderedReturn(result, ordered)


def _refund(
    uow: UnitOfWork,
    tender: PurchaseTender,
    purchase: Purchase,
    before_minor: int,
    value_minor: int,
    source: MovementSource,
    now: datetime,
) -> GiftCardRefund:
    share = refund_share(tender.paid_minor, purchase.total_minor, before_minor, value_minor)
    amount = min(share, tender.paid_minor - tender.refunded_minor)  # never more than it paid
    code = display_code(tender.code)
    if amount <= 0:
        return GiftCardRefund(code, 0, None, refunded=False)
    card = uow.gift_cards.lock(tender.code)
    assert card is not None, "a card that paid a purchase is never deleted"
    if not movements.can_refund(card, now):
        return GiftCardRefund(code, amount, None, refunded=False)
    moved = movements.refund(card, amount, now, source)
    uow.gift_cards.append(card, moved.card, moved.movement, now)
    return GiftCardRefund(code, amount, moved.card.balance_minor, refunded=True)


def _checked(
    card: GiftCard | None, tender: GiftCardTender, command: PurchaseCommand, now: datetime
) -> GiftCard:
    if card is None:
        raise GiftCardNotFound(f"no gift card {tender.code}", code=tender.code)
    card.check_pin(tender.pin)
    card.check_usable(now)
    if card.currency != command.currency:
        raise CurrencyMismatch(
            f"gift card {display_code(card.code)} holds {card.currency}, "
            f"the sale is in {command.currency}"
        )
    return card


def _claims(cards: Sequence[GiftCard], tenders: Sequence[GiftCardTender]) -> list[Claim]:
    return [
        Claim(card.code, card.balance_minor, card.currency, t.amount_minor)
        for card, t in zip(cards, tenders, strict=True)
    ]


def _payments(tendered: Tendered) -> tuple[GiftCardPayment, ...]:
    return tuple(
        GiftCardPayment(display_code(a.code), a.amount_minor, a.balance_after_minor)
        for a in tendered.allocations
    )


def _paid_before(uow: UnitOfWork, purchase_id: str) -> tuple[GiftCardPayment, ...]:
    """What the cards paid when the receipt was first recorded (a resend debits nothing)."""
    payments = []
    for tender in uow.gift_cards.tenders(purchase_id):
        redeemed = next(
            m
            for m in uow.gift_cards.movements(tender.card_id)
            if m.kind is MovementKind.REDEEM and m.source.purchase_id == purchase_id
        )
        payments.append(
            GiftCardPayment(
                display_code(tender.code), tender.paid_minor, redeemed.balance_after_minor
            )
        )
    return tuple(payments)


def _left(purchase: Purchase, payments: Sequence[GiftCardPayment]) -> int:
    return purchase.paid_minor - sum(p.amount_minor for p in payments)
