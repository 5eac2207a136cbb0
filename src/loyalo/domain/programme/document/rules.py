"""A rule: when it triggers, on what it applies, what it gives, and its limits."""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from loyalo.domain.programme.document.base import Amount, Part, Period, Slug, Weekday
from loyalo.domain.programme.document.effects import (
    Cashback,
    Discount,
    Effect,
    FixedPoints,
    IssueReward,
    ProgressiveDiscount,
)

BUILTIN_EVENTS = (
    "member_enrolled",
    "birthday",
    "review_posted",
    "referral_completed",
    "newsletter_signup",
    "social_share",
    "app_checkin",
    "survey_completed",
)


class Trigger(StrEnum):
    PURCHASE = "purchase"
    RETURN = "return"
    EVENT = "event"


class Stacking(StrEnum):
    STACK = "stack"  # applies alongside the others
    EXCLUSIVE = "exclusive"  # when it applies, lower-priority promotions do not


class Schedule(Part):
    starts: datetime | None = None
    ends: datetime | None = None
    days: list[Weekday] = Field(default_factory=list)
    """Days of the week it runs on; empty means every day."""
    from_time: time | None = Field(default=None, alias="from")
    until_time: time | None = Field(default=None, alias="until")
    """Hours of the day, in the programme's time zone; ``until`` is exclusive."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        both_or_neither_zoned = (self.starts and self.starts.tzinfo is not None) == (
            self.ends and self.ends.tzinfo is not None
        )
        # One with an offset, one without: the programme's time zone decides (ProgrammeDocument).
        if self.starts and self.ends and both_or_neither_zoned and self.ends <= self.starts:
            raise ValueError("'ends' must be after 'starts'")
        if (self.from_time is None) != (self.until_time is None):
            raise ValueError("give both 'from' and 'until', or neither")
        return self


class PerMemberLimit(Part):
    times: int = Field(ge=1)
    per: Period = Period.DAY
    key: str | None = None
    """An expression whose value counts separately (``event.product_id``: once per product)."""


class Limits(Part):
    per_member: PerMemberLimit | None = None
    budget_points: int | None = Field(default=None, ge=1)
    """The campaign stops giving points once it has given this many."""


class Rule(Part):
    id: Slug
    name: str
    description: str | None = None
    trigger: Trigger = Trigger.PURCHASE
    event: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,63}$")
    """The event name, for ``trigger: event``."""
    when: str | None = None
    """A condition over the whole context, e.g. ``basket.total >= 100 and channel == "app"``."""
    lines: str | None = None
    """A condition over each basket ``line``; the effect applies to the lines that match."""
    exclude_skus: list[str] = Field(default_factory=list)
    exclude_labels: list[str] = Field(default_factory=list)
    include_delivery: bool = True
    min_order: Amount | None = None
    """The basket (after discounts) must reach this amount."""
    tiers: list[Slug] = Field(default_factory=list)
    """Only members of these tiers; empty means everyone."""
    schedule: Schedule | None = None
    limits: Limits | None = None
    priority: int = 0
    """Higher runs first."""
    stacking: Stacking = Stacking.STACK
    effect: Effect

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.trigger is Trigger.EVENT) != (self.event is not None):
            raise ValueError("'event' is required with trigger 'event' and only with it")
        basket_only = (Discount, ProgressiveDiscount, Cashback)
        if self.trigger is not Trigger.PURCHASE and isinstance(self.effect, basket_only):
            raise ValueError(f"a {self.effect.type} effect needs trigger 'purchase'")
        if self.trigger is Trigger.EVENT and not isinstance(self.effect, FixedPoints | IssueReward):
            raise ValueError("an event rule gives fixed points or a reward")
        return self
