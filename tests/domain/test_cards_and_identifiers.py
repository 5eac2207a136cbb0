"""Card numbers and identifiers: pure functions, exact cases and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import InvalidIdentifier
from loyalo.domain.members.cards import is_valid_card_number, luhn_check_digit, new_card_number
from loyalo.domain.members.identifiers import IdentifierKind, parse_member_ref


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("4111111111111111", True),  # the classic test Visa number
        ("79927398713", True),  # the Luhn worked example
        ("79927398710", False),
        ("4111111111111112", False),
        ("1234", False),  # too short to be a card
        ("41111111111111a1", False),
    ],
)
def test_luhn(number: str, valid: bool) -> None:
    assert is_valid_card_number(number) is valid


@given(st.text(alphabet="0123456789", min_size=7, max_size=30))
def test_the_check_digit_always_validates_and_any_single_change_is_caught(payload: str) -> None:
    number = payload + luhn_check_digit(payload)
    assert is_valid_card_number(number)
    wrong = str((int(number[-1]) + 1) % 10)
    assert not is_valid_card_number(number[:-1] + wrong)


def test_new_cards_have_the_prefix_and_length() -> None:
    cards = {new_card_number("8900") for _ in range(200)}
    assert len(cards) == 200
    assert all(c.startswith("8900") and len(c) == 16 and is_valid_card_number(c) for c in cards)


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("card:4111 1111 1111 1111", IdentifierKind.CARD, "4111111111111111"),
        ("4111-1111-1111-1111", IdentifierKind.CARD, "4111111111111111"),
        ("+48 601 234 567", IdentifierKind.PHONE, "+48601234567"),
        ("phone:+48601234567", IdentifierKind.PHONE, "+48601234567"),
        ("Ann@Example.PL", IdentifierKind.EMAIL, "ann@example.pl"),
        ("ext:shop-1", IdentifierKind.EXTERNAL, "shop-1"),
        ("12345", IdentifierKind.EXTERNAL, "12345"),  # digits that are no card: an external id
        (
            "0b9e4d8a-4f57-4d3a-9d5e-2b1f1c9e8a70",
            IdentifierKind.ID,
            "0b9e4d8a-4f57-4d3a-9d5e-2b1f1c9e8a70",
        ),
    ],
)
def test_identifiers_are_recognised_and_normalised(
    raw: str, kind: IdentifierKind, value: str
) -> None:
    ref = parse_member_ref(raw)
    assert (ref.kind, ref.value) == (kind, value)


@pytest.mark.parametrize(
    "raw", ["", "  ", "card:4111111111111112", "phone:+48 12", "email:not-an-email", "id:nope"]
)
def test_bad_identifiers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_member_ref(raw)
