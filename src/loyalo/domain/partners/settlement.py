"""What a partner and the programme owe each other for a period.

The partner pays for the points its sales issued, less those its returns took
back (at the price they were issued at); the programme pays the partner for the
points members redeemed at its tills. Each amount is the exact sum of points times
price, rounded once to the currency's minor unit, half away from zero; the net
is the difference of the two rounded amounts (positive: the partner pays).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from loyalo.domain.money import currency_exponent
from loyalo.domain.partners.partner import RateChange, rates_at


class Movement(StrEnum):
    ISSUED = "issued"  # earned on the partner's sales
    TAKEN_BACK = "taken_back"  # by returns of those sales
    REDEEMED = "redeemed"  # spent at the partner's tills


@dataclass(frozen=True, slots=True)
class SettlementItem:
    movement: Movement
    points: int  # positive
    priced_at: datetime  # the rates in force then price it: the sale's time for a return


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """The points of one movement at one price, and their exact amount."""

    movement: Movement
    price: Decimal
    points: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Settlement:
    partner_id: str
    currency: str
    start: datetime
    end: datetime  # exclusive
    points_issued: int
    points_taken_back: int
    points_redeemed: int
    owed_by_partner_minor: int
    owed_to_partner_minor: int
    lines: tuple[SettlementLine, ...]

    @property
    def points_issued_net(self) -> int:
        return self.points_issued - self.points_taken_back

    @property
    def net_minor(self) -> int:
        """Positive: the partner pays the programme; negative: the programme pays."""
        return self.owed_by_partner_minor - self.owed_to_partner_minor


def to_minor(amount: Decimal, currency: str) -> int:
    scaled = amount.scaleb(currency_exponent(currency))
    return int(scaled.to_integral_value(rounding=ROUND_HALF_UP))


def settle(
    partner_id: str,
    currency: str,
    schedule: Sequence[RateChange],
    items: Iterable[SettlementItem],
    start: datetime,
    end: datetime,
) -> Settlement:
    points: dict[tuple[Movement, Decimal], int] = defaultdict(int)
    for item in items:
        if item.points <= 0:
            raise ValueError("settlement items carry positive points")
        rates = rates_at(schedule, item.priced_at)
        price = rates.redeem_price if item.movement is Movement.REDEEMED else rates.issue_price
        points[item.movement, price] += item.points
    with localcontext() as exact:
        exact.prec = 60  # 60 digits: no product or sum of points and prices is ever rounded
        lines = tuple(
            SettlementLine(movement, price, count, price * count)
            for (movement, price), count in sorted(points.items())
        )
        issued = sum((line.amount for line in lines if line.movement is Movement.ISSUED), Decimal())
        back = sum(
            (line.amount for line in lines if line.movement is Movement.TAKEN_BACK), Decimal()
        )
        redeemed = sum(
            (line.amount for line in lines if line.movement is Movement.REDEEMED), Decimal()
        )
        owed_by_partner = to_minor(issued - back, currency)
        owed_to_partner = to_minor(redeemed, currency)

    def total(movement: Movement) -> int:
        return sum(line.points for line in lines if line.movement is movement)

    return Settlement(
        partner_id=partner_id,
        currency=currency,
        start=start,
        end=end,
        points_issued=total(Movement.ISSUED),
        points_taken_back=total(Movement.TAKEN_BACK),
        points_redeemed=total(Movement.REDEEMED),
        owed_by_partner_minor=owed_by_partner,
        owed_to_partner_minor=owed_to_partner,
        lines=lines,
    )
