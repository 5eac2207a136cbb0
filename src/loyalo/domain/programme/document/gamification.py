"""Gamification: challenges with a goal, a window and a reward; badges; purchase streaks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field, model_validator

from loyalo.domain.errors import ExpressionError
from loyalo.domain.programme.document.base import Amount, Part, Slug
from loyalo.domain.programme.engine.views import SCOPE_NAMES
from loyalo.domain.programme.expressions import compile_expression


def _compiles(source: str) -> str:
    """Refused when the document is validated, as a rule's condition is."""
    try:
        compile_expression(source, names=SCOPE_NAMES)
    except ExpressionError as exc:
        raise ValueError(f"{exc.detail} (at {exc.position} in {source!r})") from exc
    return source


Condition = Annotated[str, AfterValidator(_compiles)]


class PurchasesGoal(Part):
    """``count`` purchases; each needs a line matching ``lines`` and ``min_amount`` on them."""

    type: Literal["purchases"] = "purchases"
    count: int = Field(ge=1, le=10_000)
    min_amount: Amount | None = None
    """The matching lines (all goods lines without ``lines``) must reach this amount."""
    lines: Condition | None = None
    """A condition over each basket ``line``, as in rules: ``line.category == "coffee"``."""


class EventsGoal(Part):
    """``count`` events called ``event``; with ``distinct``, each distinct value counts once."""

    type: Literal["events"] = "events"
    event: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    count: int = Field(ge=1, le=10_000)
    when: Condition | None = None
    """A condition over the event, as in rules: ``event.rating >= 4``."""
    distinct: Condition | None = None
    """An expression whose value counts once: ``event.product_id`` (2 reviews of 2 products)."""


class NewCategoryGoal(Part):
    """Buy in ``count`` categories the member had never bought in before the window opened."""

    type: Literal["new_category"] = "new_category"
    count: int = Field(ge=1, le=1_000)


class SpendGoal(Part):
    """Spend ``amount`` on the matching lines (all goods lines without ``lines``)."""

    type: Literal["spend"] = "spend"
    amount: Amount = Field(gt=0)
    lines: Condition | None = None


Goal = Annotated[
    PurchasesGoal | EventsGoal | NewCategoryGoal | SpendGoal, Field(discriminator="type")
]


class RecurringPeriod(StrEnum):
    WEEK = "week"  # ISO weeks, Monday to Sunday, in the programme's time zone
    MONTH = "month"


class Prize(Part):
    """What completing a challenge or reaching a streak milestone gives: one or more of these."""

    points: int = Field(default=0, ge=0, le=1_000_000)
    badge: Slug | None = None
    reward: Slug | None = None
    """A catalogue reward id, issued as rules' ``issue_reward`` issues it."""

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.points and self.badge is None and self.reward is None:
            raise ValueError("give points, a badge or a reward")
        return self


class Challenge(Part):
    id: Slug
    name: str
    description: str | None = None
    goal: Goal
    starts: datetime | None = None
    ends: datetime | None = None
    """The deadline (exclusive); a time without an offset is in the programme's time zone."""
    period: RecurringPeriod | None = None
    """Recurring: progress starts again every week or month (within ``starts``/``ends``)."""
    tiers: list[Slug] = Field(default_factory=list)
    """Only members of these tiers take part; empty means everyone."""
    reward: Prize

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.period is None and self.ends is None:
            raise ValueError("a challenge needs a deadline ('ends') or a recurring 'period'")
        if isinstance(self.goal, NewCategoryGoal) and self.period is None and self.starts is None:
            raise ValueError("a new_category goal needs 'starts' (or a 'period'): new since when")
        return self


class Badge(Part):
    id: Slug
    name: str
    description: str | None = None
    image: str | None = None
    """An image URL for the app."""


class Milestone(Prize):
    weeks: int = Field(ge=2, le=520)


class Streaks(Part):
    """Weeks in a row with a purchase (ISO weeks in the programme's time zone)."""

    milestones: list[Milestone] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct_weeks(self) -> Self:
        weeks = [milestone.weeks for milestone in self.milestones]
        if len(weeks) != len(set(weeks)):
            raise ValueError("each milestone needs its own number of weeks")
        return self


def check_gamification(
    challenges: list[Challenge],
    badges: list[Badge],
    streaks: Streaks | None,
    tier_ids: set[str],
    zone: ZoneInfo,
) -> None:
    """What one part cannot check alone: unique ids, known badges and tiers, ordered windows."""
    for kind, ids in (("challenge", [c.id for c in challenges]), ("badge", [b.id for b in badges])):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{kind} ids must be unique: {', '.join(duplicates)}")
    known = {badge.id for badge in badges}
    prizes: list[tuple[str, Prize]] = [(f"challenge {c.id}", c.reward) for c in challenges]
    prizes += [(f"streak milestone {m.weeks}", m) for m in (streaks.milestones if streaks else [])]
    for where, prize in prizes:
        if prize.badge is not None and prize.badge not in known:
            raise ValueError(f"{where} gives the unknown badge {prize.badge!r}")
    for challenge in challenges:
        unknown = set(challenge.tiers) - tier_ids
        if unknown:
            raise ValueError(f"challenge {challenge.id} names unknown tiers: {sorted(unknown)}")
        starts, ends = challenge.starts, challenge.ends
        if starts is not None and ends is not None and aware(ends, zone) <= aware(starts, zone):
            raise ValueError(f"challenge {challenge.id}: 'ends' must be after 'starts'")


def aware(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time written without an offset is in the programme's time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
