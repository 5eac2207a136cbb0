"""How each event moves a gift card's balance: append-only, never below zero.

Every function takes the card as it is (read under its lock) and returns the
card after the event and the movement that records it. A movement carries its
signed amount and the balance after it, so the balance is always the sum of the
card's movements and each row says what the card held from then on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from loyalo.domain.errors import GiftCardInsufficientBalance, GiftCardVoid, InvalidInput
from loyalo.domain.giftcards.card import GiftCard, GiftCardStatus, display_code
from loyalo.domain.money import Money


class MovementKind(StrEnum):
    ISSUE = "issue"  # + the initial value
    LOAD = "load"  # + money added later
    REDEEM = "redeem"  # - paid at a purchase
    REFUND = "refund"  # + given back by a return of that purchase
    VOID = "void"  # - whatever was left, when the card is cancelled


@dataclass(frozen=True, slots=True)
class MovementSource:
    """Why a card moved: the purchase or return, the till, the caller."""

    channel: str | None = None
    store_id: str | None = None
    purchase_id: str | None = None
    return_id: str | None = None
    reference: str | None = None
    actor: str | None = None
    tender_position: int | None = None  # a redeem: the card's place in the sale's gift cards


@dataclass(frozen=True, slots=True)
class Movement:
    card_id: str
    seq: int
    kind: MovementKind
    amount_minor: int  # signed: what it added to the balance
    balance_after_minor: int
    occurred_at: datetime
    source: MovementSource


@dataclass(frozen=True, slots=True)
class Moved:
    card: GiftCard
    movement: Movement


def _positive(amount_minor: int) -> None:
    if amount_minor <= 0:
        raise InvalidInput("a gift card amount must be positive", field="amount")


def _move(
    card: GiftCard, kind: MovementKind, amount_minor: int, at: datetime, source: MovementSource
) -> Moved:
    balance = card.balance_minor + amount_minor
    assert balance >= 0, "a movement may never take a card below zero"
    status = GiftCardStatus.VOID if kind is MovementKind.VOID else card.status
    after = replace(card, balance_minor=balance, status=status, seq=card.seq + 1)
    return Moved(after, Movement(card.card_id, after.seq, kind, amount_minor, balance, at, source))


def issue(
    card_id: str,
    code: str,
    currency: str,
    amount_minor: int,
    at: datetime,
    valid_until: datetime | None,
    pin_hash: str | None,
    source: MovementSource,
) -> Moved:
    _positive(amount_minor)
    if valid_until is not None and valid_until <= at:
        raise InvalidInput("a gift card must be valid after it is issued", field="valid_until")
    blank = GiftCard(
        card_id, code, currency, 0, 0, GiftCardStatus.ACTIVE, at, valid_until, pin_hash, 0
    )
    moved = _move(blank, MovementKind.ISSUE, amount_minor, at, source)
    return Moved(replace(moved.card, initial_minor=amount_minor), moved.movement)


def load(card: GiftCard, amount_minor: int, at: datetime, source: MovementSource) -> Moved:
    _positive(amount_minor)
    card.check_usable(at)
    return _move(card, MovementKind.LOAD, amount_minor, at, source)


def redeem(card: GiftCard, amount_minor: int, at: datetime, source: MovementSource) -> Moved:
    """Pay with the card: refused beyond its balance, when void, or after it expired."""
    _positive(amount_minor)
    card.check_usable(at)
    if amount_minor > card.balance_minor:
        raise GiftCardInsufficientBalance(
            f"gift card {display_code(card.code)} holds "
            f"{Money(card.balance_minor, card.currency)}, "
            f"{Money(amount_minor, card.currency)} was asked",
            code=display_code(card.code),
            balance=str(Money(card.balance_minor, card.currency)),
            requested=str(Money(amount_minor, card.currency)),
        )
    return _move(card, MovementKind.REDEEM, -amount_minor, at, source)


def can_refund(card: GiftCard, at: datetime) -> bool:
    """A return gives money back to a card only while it can still be spent."""
    return card.status is GiftCardStatus.ACTIVE and not card.is_expired(at)


def refund(card: GiftCard, amount_minor: int, at: datetime, source: MovementSource) -> Moved:
    _positive(amount_minor)
    card.check_usable(at)
    return _move(card, MovementKind.REFUND, amount_minor, at, source)


def void(card: GiftCard, at: datetime, source: MovementSource) -> Moved:
    """Cancel the card: what was left is taken off it, and it can never be used again."""
    if card.status is GiftCardStatus.VOID:
        raise GiftCardVoid(f"gift card {display_code(card.code)} is already void")
    return _move(card, MovementKind.VOID, -card.balance_minor, at, source)
