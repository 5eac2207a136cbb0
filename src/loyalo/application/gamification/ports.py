"""What gamification needs from storage. Every write runs under the member's ledger lock."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from loyalo.domain.gamification.leaderboard import Standing


@dataclass(frozen=True, slots=True)
class ChallengeProgress:
    member_id: str
    challenge_id: str
    window_key: str
    progress: int
    target: int
    opens: datetime | None
    closes: datetime | None
    reached_at: datetime | None
    completed_at: datetime | None
    programme_version: int


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one purchase added to one window's progress, and the items it counted once."""

    purchase_id: str
    member_id: str
    challenge_id: str
    window_key: str
    amount: int
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AwardedBadge:
    badge_id: str
    awarded_at: datetime
    source_type: str  # challenge, streak
    source_id: str


@dataclass(frozen=True, slots=True)
class Profile:
    member_id: str
    nickname: str | None
    leaderboard: bool  # False: the member opted out of every leaderboard
    updated_at: datetime | None = None


class GamificationRepository(Protocol):
    def progress(
        self, member_id: str, challenge_id: str, window_key: str
    ) -> ChallengeProgress | None: ...
    def save_progress(self, progress: ChallengeProgress, previous: int | None) -> None:
        """Insert (``previous`` None) or move progress on from ``previous``; a lost race raises."""
        ...

    def member_progress(self, member_id: str) -> list[ChallengeProgress]: ...
    def count_once(self, member_id: str, challenge_id: str, window_key: str, item: str) -> bool:
        """Remember ``item`` for the window; False when it was already counted."""
        ...

    def forget_counted(
        self, member_id: str, challenge_id: str, window_key: str, items: Collection[str]
    ) -> None: ...
    def add_contribution(self, contribution: Contribution) -> None: ...
    def take_contributions(self, purchase_id: str) -> list[Contribution]:
        """The purchase's contributions, removed: each is taken back once."""
        ...

    def categories_bought_before(
        self, member_id: str, categories: Collection[str], before: datetime
    ) -> set[str]: ...
    def award_badge(
        self, member_id: str, badge_id: str, at: datetime, source_type: str, source_id: str
    ) -> bool:
        """False when the member already holds the badge."""
        ...

    def badges(self, member_id: str) -> list[AwardedBadge]: ...
    def add_streak_week(self, member_id: str, week: date) -> bool: ...
    def streak_weeks(self, member_id: str) -> set[date]: ...
    def milestones_reached(self, member_id: str) -> dict[int, list[date]]: ...
    def add_milestone(
        self, member_id: str, weeks: int, reached_week: date, at: datetime
    ) -> None: ...
    def profile(self, member_id: str) -> Profile | None: ...
    def put_profile(self, profile: Profile) -> None: ...
    def challenge_board(self, challenge_id: str, window_key: str, limit: int) -> list[Standing]:
        """Members with progress, opted-out members left out, best first."""
        ...

    def points_board(self, since: date, until: date, limit: int) -> list[Standing]:
        """Points earned on days ``since`` to ``until`` (exclusive), opted-out members left out."""
        ...
