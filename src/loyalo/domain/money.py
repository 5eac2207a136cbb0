"""Money as integer minor units with an explicit currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from babel.numbers import get_currency_precision, list_currencies

from loyalo.domain.errors import CurrencyMismatch, InvalidInput

_KNOWN_CURRENCIES = frozenset(list_currencies())


def currency_exponent(code: str) -> int:
    """Digits after the decimal point for an ISO 4217 code (PLN 2, JPY 0, KWD 3)."""
    if code not in _KNOWN_CURRENCIES:
        raise InvalidInput(f"unknown currency {code!r}", field="currency")
    return int(get_currency_precision(code))


@dataclass(frozen=True, slots=True, order=True)
class Money:
    amount_minor: int
    currency: str

    @classmethod
    def parse(cls, amount: Decimal | str | int, currency: str) -> Money:
        """Exact conversion of a decimal amount; more digits than the currency has is an error."""
        exponent = currency_exponent(currency)
        try:
            value = Decimal(str(amount))
        except InvalidOperation as exc:
            raise InvalidInput(f"{amount!r} is not an amount", field="amount") from exc
        scaled = value.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise InvalidInput(
                f"{amount} has more than {exponent} decimal places for {currency}", field="amount"
            )
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def as_decimal(self) -> Decimal:
        return Decimal(self.amount_minor).scaleb(-currency_exponent(self.currency))

    def __str__(self) -> str:
        exponent = currency_exponent(self.currency)
        return f"{self.as_decimal():.{exponent}f}"

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} and {other.currency}")


def floor_points(amount: Money, points_per_unit: Decimal) -> int:
    """Points for an amount at a rate per whole currency unit, rounded down."""
    points = (amount.as_decimal() * points_per_unit).to_integral_value(rounding=ROUND_FLOOR)
    return max(int(points), 0)
