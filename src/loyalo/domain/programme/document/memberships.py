"""Paid memberships: plans a member pays a fee for, and what each gives while active."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import Field

from loyalo.domain.programme.document.base import Amount, Part, Percent, Slug


class BillingPeriod(StrEnum):
    MONTH = "month"
    YEAR = "year"

    @property
    def months(self) -> int:
        return 1 if self is BillingPeriod.MONTH else 12


class MembershipBenefits(Part):
    earn_multiplier: Decimal = Field(default=Decimal(1), ge=1)
    """Multiplies the per-amount points, after the tier's multiplier (the two multiply)."""
    free_delivery: bool = False
    member_prices: dict[str, Amount] = Field(default_factory=dict)
    """SKU -> the unit price a member pays; the line is discounted down to it."""
    discount_percent: Percent | None = None
    """Off goods lines without a member price (not delivery), before the tier's discount."""
    discount_labels: list[str] = Field(default_factory=list)
    """Only lines with one of these labels get ``discount_percent``; empty: every goods line."""
    discount_categories: list[str] = Field(default_factory=list)
    """Only lines of these categories get ``discount_percent`` (with labels: either)."""


class MembershipPlan(Part):
    id: Slug
    name: str
    fee: Amount = Field(gt=0)
    """What one period costs, in the programme currency; the caller takes the payment."""
    period: BillingPeriod = BillingPeriod.MONTH
    grace_days: int = Field(default=0, ge=0, le=365)
    """Benefits stay this many days after a paid period ends, waiting for the renewal."""
    benefits: MembershipBenefits = MembershipBenefits()


def unique_plans(plans: list[MembershipPlan]) -> list[MembershipPlan]:
    ids = [plan.id for plan in plans]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"membership plan ids must be unique: {', '.join(duplicates)}")
    return plans
