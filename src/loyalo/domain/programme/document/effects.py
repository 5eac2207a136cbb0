"""What a rule gives when it applies."""

from __future__ import annotations

import itertools
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from loyalo.domain.programme.document.base import (
    Amount,
    Part,
    Percent,
    PositiveRate,
    Rounding,
    Slug,
)


class FixedPoints(Part):
    """A fixed number of points (a review, a newsletter sign-up, a welcome bonus)."""

    type: Literal["points"] = "points"
    points: int = Field(ge=1)


class PointsPerAmount(Part):
    """``points`` for every ``per`` of money spent on the matching lines."""

    type: Literal["points_per_amount"] = "points_per_amount"
    points: PositiveRate
    per: Amount = Decimal(1)
    rounding: Rounding = Rounding.DOWN


class Multiplier(Part):
    """Multiplies the points that the matching lines earned from per-amount rules."""

    type: Literal["multiplier"] = "multiplier"
    factor: Decimal = Field(gt=1)


class PointsPerUnit(Part):
    """Points for every unit bought of the matching lines."""

    type: Literal["points_per_unit"] = "points_per_unit"
    points: int = Field(ge=1)


class ProductBonus(Part):
    """A fixed bonus, once per receipt, for buying any of the matching lines."""

    type: Literal["product_bonus"] = "product_bonus"
    points: int = Field(ge=1)


class CashbackCredit(StrEnum):
    POINTS = "points"  # points worth the cashback at the redemption rate
    WALLET = "wallet"  # money in the member's cash wallet


class Cashback(Part):
    """A percentage of what the matching lines cost, given back."""

    type: Literal["cashback"] = "cashback"
    percent: Percent
    credit: CashbackCredit = CashbackCredit.POINTS  # wallet: money in the member's wallet


class Stamps(Part):
    """A stamp per unit of the matching lines; ``goal`` stamps issue ``reward``."""

    type: Literal["stamps"] = "stamps"
    card: Slug
    per_unit: int = Field(default=1, ge=1)
    goal: int = Field(ge=1)
    reward: Slug


class SpendBand(Part):
    from_amount: Amount = Field(alias="from")
    percent: Percent


class ProgressiveDiscount(Part):
    """A discount that grows with what the member has spent before this purchase."""

    type: Literal["progressive_discount"] = "progressive_discount"
    bands: list[SpendBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        starts = [band.from_amount for band in self.bands]
        if any(b <= a for a, b in itertools.pairwise(starts)):
            raise ValueError("bands must be listed by increasing 'from'")
        return self


class Discount(Part):
    """An instant discount for the till: a percentage or an amount off the matching lines."""

    type: Literal["discount"] = "discount"
    percent: Percent | None = None
    amount: Amount | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give exactly one of 'percent' and 'amount'")
        return self


class IssueReward(Part):
    """Issues a reward (a coupon from the catalogue) by its id."""

    type: Literal["issue_reward"] = "issue_reward"
    reward: Slug


Effect = Annotated[
    FixedPoints
    | PointsPerAmount
    | Multiplier
    | PointsPerUnit
    | ProductBonus
    | Cashback
    | Stamps
    | ProgressiveDiscount
    | Discount
    | IssueReward,
    Field(discriminator="type"),
]

DISCOUNT_EFFECTS = (ProgressiveDiscount, Discount)
