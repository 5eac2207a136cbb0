"""A gift card's code, PIN and movements: the pure rules, exactly."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import (
    GiftCardExpired,
    GiftCardInsufficientBalance,
    GiftCardPinInvalid,
    GiftCardVoid,
    InvalidInput,
)
from loyalo.domain.giftcards import movements
from loyalo.domain.giftcards.audit import audit_card
from loyalo.domain.giftcards.card import (
    ALPHABET,
    CODE_LENGTH,
    GiftCard,
    GiftCardStatus,
    display_code,
    hash_pin,
    new_code,
    normalise_code,
)
from loyalo.domain.giftcards.movements import Movement, MovementKind, MovementSource

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SRC = MovementSource()


def _issued(amount: int = 10000) -> movements.Moved:
    return movements.issue("card-1", "A" * 16, "PLN", amount, NOW, None, None, SRC)


def test_a_code_carries_at_least_60_bits_and_reads_back_leniently() -> None:
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 60
    codes = {new_code() for _ in range(1000)}
    assert len(codes) == 1000
    code = next(iter(codes))
    assert normalise_code(display_code(code).lower()) == code
    assert normalise_code("0o1i-L000-0000-0000") == "0011" + "1000" + "0" * 8


@pytest.mark.parametrize(
    "typed", ["", "ABC", "A" * 17, "UUUU-UUUU-UUUU-UUUU", "AAAA_AAAA_AAAA_AAAA"]
)
def test_what_cannot_be_a_code_is_invalid(typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalise_code(typed)


def test_a_card_with_a_pin_needs_the_right_one() -> None:
    card = replace(_issued().card, pin_hash=hash_pin("4321", "card-1"))

    card.check_pin("4321")
    for wrong in (None, "", "1234", "43210", "abcd"):
        with pytest.raises(GiftCardPinInvalid):
            card.check_pin(wrong)
    _issued().card.check_pin(None)  # no PIN: nothing to check
    assert card.pin_hash != hash_pin("4321", "card-2")  # salted per card


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "١٢٣٤"])
def test_a_pin_is_4_to_8_ascii_digits(pin: str) -> None:
    with pytest.raises(InvalidInput):
        hash_pin(pin, "card-1")


def test_the_balance_follows_each_movement_and_never_goes_below_zero() -> None:
    issued = _issued()
    loaded = movements.load(issued.card, 2500, NOW, SRC)
    paid = movements.redeem(loaded.card, 11500, NOW, SRC)
    refunded = movements.refund(paid.card, 1304, NOW, SRC)
    voided = movements.void(refunded.card, NOW, SRC)

    steps = [issued, loaded, paid, refunded, voided]
    assert [
        (m.movement.kind, m.movement.amount_minor, m.movement.balance_after_minor) for m in steps
    ] == [
        (MovementKind.ISSUE, 10000, 10000),
        (MovementKind.LOAD, 2500, 12500),
        (MovementKind.REDEEM, -11500, 1000),
        (MovementKind.REFUND, 1304, 2304),
        (MovementKind.VOID, -2304, 0),
    ]
    assert [m.movement.seq for m in steps] == [1, 2, 3, 4, 5]
    assert voided.card.status is GiftCardStatus.VOID
    assert audit_card(voided.card, [m.movement for m in steps]) is None


def test_paying_more_than_the_balance_is_refused() -> None:
    card = _issued(10000).card
    with pytest.raises(GiftCardInsufficientBalance):
        movements.redeem(card, 10001, NOW, SRC)
    assert movements.redeem(card, 10000, NOW, SRC).card.balance_minor == 0


def test_a_void_card_can_do_nothing_more() -> None:
    void = movements.void(_issued().card, NOW, SRC).card
    acts: list[Callable[[], object]] = [
        lambda: movements.redeem(void, 1, NOW, SRC),
        lambda: movements.load(void, 1, NOW, SRC),
        lambda: movements.refund(void, 1, NOW, SRC),
        lambda: movements.void(void, NOW, SRC),
    ]
    for act in acts:
        with pytest.raises(GiftCardVoid):
            act()
    assert not movements.can_refund(void, NOW)


def test_an_expired_card_cannot_pay_load_or_take_a_refund() -> None:
    until = NOW + timedelta(days=30)
    card = movements.issue("c", "B" * 16, "PLN", 5000, NOW, until, None, SRC).card
    assert movements.redeem(card, 100, until - timedelta(seconds=1), SRC).card.balance_minor == 4900
    with pytest.raises(GiftCardExpired):
        movements.redeem(card, 100, until, SRC)
    with pytest.raises(GiftCardExpired):
        movements.load(card, 100, until, SRC)
    assert not movements.can_refund(card, until)
    assert movements.void(card, until, SRC).card.balance_minor == 0  # still cancellable


@pytest.mark.parametrize("amount", [0, -1])
def test_amounts_must_be_positive(amount: int) -> None:
    card = _issued().card
    for act in (movements.load, movements.redeem, movements.refund):
        with pytest.raises(InvalidInput):
            act(card, amount, NOW, SRC)
    with pytest.raises(InvalidInput):
        _issued(amount)


def _history() -> tuple[GiftCard, list[Movement]]:
    issued = _issued()
    paid = movements.redeem(issued.card, 3000, NOW, SRC)
    return paid.card, [issued.movement, paid.movement]


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (lambda c, ms: (replace(c, balance_minor=9000), ms), "stored balance 9000"),
        (lambda c, ms: (c, [ms[0], replace(ms[1], amount_minor=-2000)]), "balance after"),
        (lambda c, ms: (c, [ms[0], replace(ms[1], seq=3)]), "seq 3"),
        (lambda c, ms: (c, [ms[0]]), "stored balance"),
        (lambda c, ms: (c, [ms[0], replace(ms[1], kind=MovementKind.LOAD)]), "must add money"),
        (lambda c, ms: (replace(c, status=GiftCardStatus.VOID), ms), "status"),
        (lambda c, ms: (replace(c, initial_minor=1), ms), "initial"),
    ],
)
def test_the_audit_names_a_card_that_does_not_add_up(tamper: object, problem: str) -> None:
    card, moved = _history()
    assert audit_card(card, moved) is None
    bad_card, bad_moves = tamper(card, moved)  # type: ignore[operator]

    finding = audit_card(bad_card, bad_moves)

    assert finding is not None
    assert problem in finding.problem


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["load", "redeem", "refund", "void"]),
        st.integers(min_value=1, max_value=20_000),
    ),
    max_size=30,
)


@given(initial=st.integers(min_value=1, max_value=20_000), ops=_OPS)
def test_any_sequence_of_movements_adds_up_and_never_goes_below_zero(
    initial: int, ops: list[tuple[str, int]]
) -> None:
    """Against a plain model: refused moves change nothing, the audit passes every time."""
    moved = _issued(initial)
    card, history, model, void = moved.card, [moved.movement], initial, False
    for op, amount in ops:
        try:
            if op == "void":
                step = movements.void(card, NOW, SRC)
            else:
                step = getattr(movements, op)(card, amount, NOW, SRC)
        except (GiftCardVoid, GiftCardInsufficientBalance):
            assert void or (op == "redeem" and amount > model)
            continue
        assert not void
        model = 0 if op == "void" else model + (-amount if op == "redeem" else amount)
        void = op == "void"
        card = step.card
        history.append(step.movement)
        assert card.balance_minor == model >= 0

    assert audit_card(card, history) is None
    assert sum(m.amount_minor for m in history) == card.balance_minor
