"""Recompute a gift card from its movements; name the first thing that does not add up."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from loyalo.domain.giftcards.card import GiftCard, GiftCardStatus
from loyalo.domain.giftcards.movements import Movement, MovementKind

_CREDITS = frozenset({MovementKind.ISSUE, MovementKind.LOAD, MovementKind.REFUND})


@dataclass(frozen=True, slots=True)
class CardFinding:
    card_id: str
    seq: int | None
    problem: str


def _movement_problem(movement: Movement, expected_seq: int, balance: int) -> str | None:
    if movement.seq != expected_seq:
        return f"movement seq {movement.seq}, expected {expected_seq}"
    if (movement.kind is MovementKind.ISSUE) != (expected_seq == 1):
        return "the first movement, and only it, must be the issue"
    if movement.kind in _CREDITS and movement.amount_minor <= 0:
        return f"a {movement.kind} must add money, it moves {movement.amount_minor}"
    if movement.kind is MovementKind.REDEEM and movement.amount_minor >= 0:
        return f"a redeem must take money, it moves {movement.amount_minor}"
    if movement.kind is MovementKind.VOID and balance + movement.amount_minor != 0:
        return "a void must take the whole balance"
    if movement.balance_after_minor != balance + movement.amount_minor:
        return f"balance after {movement.balance_after_minor} != {balance + movement.amount_minor}"
    if movement.balance_after_minor < 0:
        return "the balance goes below zero"
    return None


def audit_card(card: GiftCard, movements: Iterable[Movement]) -> CardFinding | None:
    """The first problem of one card, or None: its balance must be the sum of its movements."""
    balance, expected_seq, voided, initial = 0, 1, False, None
    for movement in movements:
        problem = _movement_problem(movement, expected_seq, balance)
        if problem is None and voided:
            problem = "the card moved after it was void"
        if problem:
            return CardFinding(card.card_id, movement.seq, problem)
        if movement.kind is MovementKind.ISSUE:
            initial = movement.amount_minor
        voided = voided or movement.kind is MovementKind.VOID
        balance = movement.balance_after_minor
        expected_seq += 1
    if balance != card.balance_minor:
        return CardFinding(
            card.card_id, None, f"stored balance {card.balance_minor} != its movements {balance}"
        )
    if card.seq != expected_seq - 1 or initial != card.initial_minor:
        return CardFinding(card.card_id, None, "stored seq or initial value != its movements")
    if voided != (card.status is GiftCardStatus.VOID):
        return CardFinding(card.card_id, None, f"status {card.status} != its movements")
    return None
