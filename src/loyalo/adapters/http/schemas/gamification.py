"""Challenges, badges, streaks and leaderboards over HTTP.

A challenge's progress and target travel as decimal strings next to their
``unit``: ``count`` (purchases, events, categories) or the programme currency
(a spend goal). Leaderboards name members by nickname only.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from loyalo.application.gamification.ports import Profile
from loyalo.application.gamification.service import (
    Board,
    HeldBadge,
    MemberChallenge,
    RunningChallenge,
    StreakStatus,
)
from loyalo.domain.gamification.leaderboard import display_name
from loyalo.domain.money import Money
from loyalo.domain.programme.document.gamification import Prize, SpendGoal

COUNT_UNIT = "count"


class PrizeOut(BaseModel):
    points: int
    badge: str | None = Field(description="A badge id (GET .../badges describes it)")
    reward: str | None = Field(description="A catalogue reward id, issued to the member")

    @classmethod
    def of(cls, prize: Prize) -> PrizeOut:
        return cls(points=prize.points, badge=prize.badge, reward=prize.reward)


class ChallengeOut(BaseModel):
    id: str
    name: str
    description: str | None
    goal: str = Field(examples=["purchases"], description="purchases, events, new_category, spend")
    goal_detail: dict[str, object] = Field(description="The goal as the programme writes it")
    target: str = Field(examples=["3"], description="What completes it, in ``unit``")
    unit: str = Field(examples=["count", "PLN"])
    period: str | None = Field(description="week or month: progress starts again each period")
    window: str = Field(examples=["2026-12"], description="The current window: once, or a period")
    opens: datetime | None
    deadline: datetime | None = Field(description="The end of the current window (exclusive)")
    tiers: list[str] = Field(description="Only these tiers take part; empty means everyone")
    reward: PrizeOut

    @classmethod
    def of(cls, running: RunningChallenge, currency: str) -> ChallengeOut:
        challenge, window = running.challenge, running.window
        return cls(
            id=challenge.id,
            name=challenge.name,
            description=challenge.description,
            goal=challenge.goal.type,
            goal_detail=challenge.goal.model_dump(mode="json", exclude_none=True),
            target=_amount(running, running.target, currency),
            unit=_unit(running, currency),
            period=challenge.period.value if challenge.period else None,
            window=window.key,
            opens=window.opens,
            deadline=window.closes,
            tiers=list(challenge.tiers),
            reward=PrizeOut.of(challenge.reward),
        )


class MemberChallengeOut(ChallengeOut):
    progress: str = Field(examples=["2"], description="How far the member is, in ``unit``")
    completed: bool
    completed_at: datetime | None
    last_progress_at: datetime | None

    @classmethod
    def of_member(cls, found: MemberChallenge, currency: str) -> MemberChallengeOut:
        base = ChallengeOut.of(found.running, currency)
        return cls(
            **base.model_dump(),
            progress=_amount(found.running, found.progress, currency),
            completed=found.completed_at is not None,
            completed_at=found.completed_at,
            last_progress_at=found.reached_at,
        )


def _is_money(running: RunningChallenge) -> bool:
    return isinstance(running.challenge.goal, SpendGoal)


def _unit(running: RunningChallenge, currency: str) -> str:
    return currency if _is_money(running) else COUNT_UNIT


def _amount(running: RunningChallenge, value: int, currency: str) -> str:
    return str(Money(value, currency)) if _is_money(running) else str(value)


class BadgeOut(BaseModel):
    id: str
    name: str
    description: str | None
    image: str | None
    awarded_at: datetime
    awarded_for: str = Field(examples=["challenge"], description="challenge or streak")

    @classmethod
    def of(cls, held: HeldBadge) -> BadgeOut:
        badge, awarded = held.badge, held.awarded
        return cls(
            id=awarded.badge_id,
            name=badge.name if badge else awarded.badge_id,
            description=badge.description if badge else None,
            image=badge.image if badge else None,
            awarded_at=awarded.awarded_at,
            awarded_for=awarded.source_type,
        )


class StreakOut(BaseModel):
    current_weeks: int = Field(description="Weeks in a row with a purchase, up to now")
    current_since: date | None = Field(description="The Monday of the streak's first week")
    this_week_done: bool = Field(description="This week already has a purchase")
    best_weeks: int
    next_milestone: int | None = Field(description="Weeks of the next milestone still to reach")

    @classmethod
    def of(cls, status: StreakStatus) -> StreakOut:
        return cls(
            current_weeks=status.current_weeks,
            current_since=status.current_since,
            this_week_done=status.this_week_done,
            best_weeks=status.best_weeks,
            next_milestone=status.next_milestone,
        )


class ProfileIn(BaseModel):
    nickname: str | None = Field(
        default=None,
        max_length=64,
        description="Shown on leaderboards; none: a name made from the member id",
        examples=["CoffeeFan"],
    )
    leaderboard: bool = Field(default=True, description="false: never shown on a leaderboard")


class ProfileOut(BaseModel):
    nickname: str | None
    leaderboard: bool
    display_name: str = Field(examples=["Member 4F2A"], description="What leaderboards show")

    @classmethod
    def of(cls, profile: Profile) -> ProfileOut:
        return cls(
            nickname=profile.nickname,
            leaderboard=profile.leaderboard,
            display_name=display_name(profile.member_id, profile.nickname),
        )


class LeaderboardEntryOut(BaseModel):
    position: int
    display_name: str = Field(examples=["CoffeeFan", "Member 4F2A"])
    value: str = Field(description="Points earned, or challenge progress in ``unit``")
    reached_at: datetime | None = Field(description="When the member reached this value")
    you: bool = Field(description="The caller's own entry (app keys)")


class LeaderboardOut(BaseModel):
    window: str = Field(examples=["2026-12", "2026-W49", "once"])
    opens: datetime | None
    closes: datetime | None
    unit: str = Field(examples=["points", "count", "PLN"])
    entries: list[LeaderboardEntryOut]

    @classmethod
    def of(
        cls, board: Board, unit: str, me: str | None, money: str | None = None
    ) -> LeaderboardOut:
        def value(amount: int) -> str:
            return str(Money(amount, money)) if money else str(amount)

        return cls(
            window=board.key,
            opens=board.opens,
            closes=board.closes,
            unit=unit,
            entries=[
                LeaderboardEntryOut(
                    position=entry.position,
                    display_name=entry.display_name,
                    value=value(entry.value),
                    reached_at=entry.reached_at,
                    you=me is not None and entry.member_id == me,
                )
                for entry in board.entries
            ],
        )
