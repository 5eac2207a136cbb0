"""Money: exact decimal parsing into minor units, per currency."""

from __future__ import annotations

from decimal import Decimal

import pytest

from loyalo.domain.errors import CurrencyMismatch, InvalidInput
from loyalo.domain.money import Money, floor_points
from loyalo.domain.programme.terms import ProgrammeTerms


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.50", "PLN", 1250), ("0.01", "PLN", 1), ("1000", "JPY", 1000), ("1.234", "KWD", 1234)],
)
def test_parse(amount: str, currency: str, minor: int) -> None:
    assert Money.parse(amount, currency) == Money(minor, currency)


def test_more_digits_than_the_currency_has_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Money.parse("1.005", "PLN")
    with pytest.raises(InvalidInput):
        Money.parse("1.5", "JPY")
    with pytest.raises(InvalidInput):
        Money.parse("10", "XYZ")


def test_amounts_in_two_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(100, "PLN") + Money(100, "EUR")


@pytest.mark.parametrize(
    ("minor", "rate", "points"),
    [(15299, "1", 152), (99, "1", 0), (1000, "2.5", 25), (1999, "0.1", 1)],
)
def test_points_round_down(minor: int, rate: str, points: int) -> None:
    assert floor_points(Money(minor, "PLN"), Decimal(rate)) == points


def test_redemption_value_both_ways() -> None:
    terms = ProgrammeTerms()  # 100 points = 10.00 PLN
    assert terms.points_for_value(Money(1250, "PLN")) == 125
    assert terms.value_of_points(125) == Money(1250, "PLN")
    assert terms.points_for_value(Money(5, "PLN")) == 0  # 0.05 PLN buys half a point: none
