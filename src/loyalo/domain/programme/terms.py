"""The programme terms the core ledger needs.

Later issues grow this into a versioned programme document (rules, tiers,
expiry); the ledger only ever asks it these questions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

from loyalo.domain.errors import InvalidInput
from loyalo.domain.money import Money, currency_exponent, floor_points


@dataclass(frozen=True, slots=True)
class ProgrammeTerms:
    currency: str = "PLN"
    point_name: str = "points"
    earn_points_per_unit: Decimal = Decimal(1)  # points per 1.00 spent
    redeem_points_per_unit: Decimal = Decimal(10)  # points that pay 1.00 (100 points = 10.00)
    pending_days: int = 0
    hold_ttl: timedelta = timedelta(minutes=15)
    card_prefix: str = "8900"
    version: int = 1

    def __post_init__(self) -> None:
        currency_exponent(self.currency)
        if self.earn_points_per_unit < 0 or self.redeem_points_per_unit <= 0:
            raise InvalidInput("rates must be positive")

    def points_earned(self, amount: Money) -> int:
        return floor_points(amount, self.earn_points_per_unit)

    def points_for_value(self, amount: Money) -> int:
        """Points a member spends to pay ``amount``, rounded down to a whole point."""
        points = amount.as_decimal() * self.redeem_points_per_unit
        return int(points.to_integral_value(rounding=ROUND_FLOOR))

    def value_of_points(self, points: int) -> Money:
        exponent = currency_exponent(self.currency)
        value = (Decimal(points) / self.redeem_points_per_unit).scaleb(exponent)
        return Money(int(value.to_integral_value(rounding=ROUND_FLOOR)), self.currency)
