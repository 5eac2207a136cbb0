"""What members and the app read: challenges and progress, badges, streaks, leaderboards;
and the one thing a member writes: their nickname and whether they appear on leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from loyalo.application.context import AppContext
from loyalo.application.gamification.listener import compiled_challenges
from loyalo.application.gamification.ports import AwardedBadge, ChallengeProgress, Profile
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import ChallengeNotFound
from loyalo.domain.gamification import streaks
from loyalo.domain.gamification.leaderboard import Ranked, clean_nickname, rank
from loyalo.domain.gamification.progress import CompiledChallenge
from loyalo.domain.gamification.windows import (
    Window,
    period_bounds,
    period_key,
    week_start,
    window_at,
)
from loyalo.domain.programme.document.gamification import (
    Badge,
    Challenge,
    RecurringPeriod,
    SpendGoal,
    aware,
)
from loyalo.domain.programme.engine.compiled import CompiledProgramme

MAX_BOARD = 100
_JUST_BEFORE = timedelta(microseconds=1)


class BoardPeriod(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class RunningChallenge:
    challenge: Challenge
    target: int  # a count, or minor units for a spend goal
    window: Window


@dataclass(frozen=True, slots=True)
class MemberChallenge:
    running: RunningChallenge
    progress: int
    reached_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class HeldBadge:
    awarded: AwardedBadge
    badge: Badge | None  # None: a badge the programme in force no longer describes


@dataclass(frozen=True, slots=True)
class StreakStatus:
    current_weeks: int  # 0 when broken; last week's run still counts until this week ends
    current_since: date | None
    this_week_done: bool
    best_weeks: int
    next_milestone: int | None  # weeks of the next milestone the current run has not reached


@dataclass(frozen=True, slots=True)
class Board:
    key: str  # "2026-12", "2026-W49", or a challenge's window key
    opens: datetime | None
    closes: datetime | None
    entries: tuple[Ranked, ...]
    money: bool = False  # values are minor units of money (a spend challenge), not counts


class GamificationService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def running(self, uow: UnitOfWork, at: datetime | None = None) -> list[RunningChallenge]:
        """The challenges open at ``at`` (now), in the document's order."""
        programme = self._ctx.programmes.compiled(uow)
        moment = aware(at, programme.zone) if at else self._ctx.clock.now()
        found = []
        for compiled in compiled_challenges(programme):
            window = window_at(compiled.challenge, moment, programme.zone)
            if window is not None:
                found.append(RunningChallenge(compiled.challenge, compiled.target, window))
        return found

    def of_member(self, uow: UnitOfWork, member_id: str) -> list[MemberChallenge]:
        """Every running challenge with the member's progress in its current window."""
        stored = {
            (p.challenge_id, p.window_key): p for p in uow.gamification.member_progress(member_id)
        }
        result = []
        for running in self.running(uow):
            progress = stored.get((running.challenge.id, running.window.key))
            result.append(_member_challenge(running, progress))
        return result

    def badges(self, uow: UnitOfWork, member_id: str) -> list[HeldBadge]:
        described = {
            badge.id: badge for badge in self._ctx.programmes.compiled(uow).document.badges
        }
        return [
            HeldBadge(awarded, described.get(awarded.badge_id))
            for awarded in uow.gamification.badges(member_id)
        ]

    def streak(self, uow: UnitOfWork, member_id: str) -> StreakStatus:
        programme = self._ctx.programmes.compiled(uow)
        today = self._ctx.clock.now().astimezone(programme.zone).date()
        this_week = week_start(today)
        weeks = uow.gamification.streak_weeks(member_id)
        run = streaks.current(weeks, this_week)
        best = streaks.longest(weeks)
        config = programme.document.streaks
        milestones = sorted(m.weeks for m in config.milestones) if config else []
        length = run.weeks if run else 0
        return StreakStatus(
            current_weeks=length,
            current_since=run.first if run else None,
            this_week_done=this_week in weeks,
            best_weeks=best.weeks if best else 0,
            next_milestone=next((m for m in milestones if m > length), None),
        )

    def profile(self, uow: UnitOfWork, member_id: str) -> Profile:
        return uow.gamification.profile(member_id) or Profile(member_id, None, True)

    def set_profile(
        self, uow: UnitOfWork, member_id: str, nickname: str | None, leaderboard: bool
    ) -> Profile:
        cleaned = clean_nickname(nickname) if nickname is not None else None
        profile = Profile(member_id, cleaned, leaderboard, self._ctx.clock.now())
        uow.gamification.put_profile(profile)
        return profile

    def points_board(
        self, uow: UnitOfWork, period: BoardPeriod, at: datetime | None, limit: int
    ) -> Board:
        """Points earned from purchases and events in the week or month holding ``at`` (now)."""
        programme = self._ctx.programmes.compiled(uow)
        zone = programme.zone
        day = (aware(at, zone) if at else self._ctx.clock.now()).astimezone(zone).date()
        recurring = RecurringPeriod(period.value)
        first, after = period_bounds(recurring, day)
        standings = uow.gamification.points_board(first, after, min(limit, MAX_BOARD))
        return Board(
            period_key(recurring, day),
            datetime.combine(first, time(), zone),
            datetime.combine(after, time(), zone),
            tuple(rank(standings)),
        )

    def challenge_board(
        self, uow: UnitOfWork, challenge_id: str, at: datetime | None, limit: int
    ) -> Board:
        """Progress in the challenge's window holding ``at`` (now); ties: who got there first."""
        programme = self._ctx.programmes.compiled(uow)
        compiled = _challenge(programme, challenge_id)
        moment = aware(at, programme.zone) if at else self._ctx.clock.now()
        window = window_at(compiled.challenge, moment, programme.zone)
        if window is None:  # not running then: its last window, if it had one before
            window = _last_window(compiled, moment, programme)
        if window is None:
            return Board("", None, None, ())
        standings = uow.gamification.challenge_board(
            challenge_id, window.key, min(limit, MAX_BOARD)
        )
        money = isinstance(compiled.challenge.goal, SpendGoal)
        return Board(window.key, window.opens, window.closes, tuple(rank(standings)), money)


def _member_challenge(
    running: RunningChallenge, progress: ChallengeProgress | None
) -> MemberChallenge:
    if progress is None:
        return MemberChallenge(running, 0, None, None)
    target = progress.target  # the goal the member started on
    shown = RunningChallenge(running.challenge, target, running.window)
    return MemberChallenge(shown, progress.progress, progress.reached_at, progress.completed_at)


def _challenge(programme: CompiledProgramme, challenge_id: str) -> CompiledChallenge:
    for compiled in compiled_challenges(programme):
        if compiled.id == challenge_id:
            return compiled
    raise ChallengeNotFound(f"no challenge {challenge_id}", challenge_id=challenge_id)


def _last_window(
    compiled: CompiledChallenge, moment: datetime, programme: CompiledProgramme
) -> Window | None:
    """After the deadline, the board of the window that ended it."""
    challenge = compiled.challenge
    if challenge.ends is None:
        return None
    ends = aware(challenge.ends, programme.zone)
    if moment < ends:
        return None
    return window_at(challenge, ends - _JUST_BEFORE, programme.zone)
