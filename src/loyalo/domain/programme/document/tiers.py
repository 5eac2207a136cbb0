"""Tiers: what qualifies a member, and what each tier gives."""

from __future__ import annotations

import itertools
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from loyalo.domain.programme.document.base import Part, Percent, PositiveRate, Slug


class TierMetric(StrEnum):
    POINTS_EARNED = "points_earned"
    MONEY_SPENT = "money_spent"


class TierWindow(StrEnum):
    LIFETIME = "lifetime"
    ROLLING = "rolling"  # the last ``months`` months
    CALENDAR_YEAR = "calendar_year"


class TierBenefits(Part):
    discount_percent: Percent | None = None
    """Instant discount on goods (not delivery) at the till."""
    earn_multiplier: PositiveRate = Decimal(1)
    """Multiplies the points every purchase earns."""
    free_delivery: bool = False
    exclusive_offers: bool = False
    """Rules marked ``exclusive`` (see ``Rule.tiers``) may target these tiers."""
    flags: list[str] = Field(default_factory=list)
    """Custom flags, for the till, the app or later rules."""


class Tier(Part):
    id: Slug
    name: str
    threshold: Decimal = Field(ge=0)
    """Points, or money in currency units, that qualify for this tier."""
    benefits: TierBenefits = TierBenefits()


class TierPolicy(Part):
    metric: TierMetric = TierMetric.POINTS_EARNED
    window: TierWindow = TierWindow.ROLLING
    months: int = Field(default=12, ge=1, le=120)
    """Length of a rolling window; ignored for the other windows."""
    grace_days: int = Field(default=0, ge=0)
    """After a review finds a lower tier, the member keeps the tier this long."""
    levels: list[Tier] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending_from_zero(self) -> Self:
        thresholds = [tier.threshold for tier in self.levels]
        if thresholds[0] != 0:
            raise ValueError("the first tier must start at 0")
        if any(b <= a for a, b in itertools.pairwise(thresholds)):
            raise ValueError("tier thresholds must strictly increase")
        ids = [tier.id for tier in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError("tier ids must be unique")
        return self
