"""Challenge progress, badges, streaks and leaderboard profiles in SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import PurchaseLineRow, PurchaseRow
from loyalo.adapters.storage.tables_gamification import (
    ChallengeContributionRow,
    ChallengeCountedRow,
    ChallengeProgressRow,
    GamificationProfileRow,
    MemberBadgeRow,
    StreakMilestoneRow,
    StreakWeekRow,
)
from loyalo.adapters.storage.tiers import MemberActivityRow
from loyalo.application.gamification.ports import (
    AwardedBadge,
    ChallengeProgress,
    Contribution,
    Profile,
)
from loyalo.domain.gamification.leaderboard import Standing


class LostProgressRace(RuntimeError):
    """Progress moved under us: a write without the member's lock, a programming error."""


_PROGRESS = cast(Table, ChallengeProgressRow.__table__)
_COUNTED = cast(Table, ChallengeCountedRow.__table__)
_CONTRIBUTIONS = cast(Table, ChallengeContributionRow.__table__)
_BADGES = cast(Table, MemberBadgeRow.__table__)
_WEEKS = cast(Table, StreakWeekRow.__table__)
_MILESTONES = cast(Table, StreakMilestoneRow.__table__)
_PROFILES = cast(Table, GamificationProfileRow.__table__)
_ACTIVITY = cast(Table, MemberActivityRow.__table__)
_PURCHASES = cast(Table, PurchaseRow.__table__)
_LINES = cast(Table, PurchaseLineRow.__table__)

_PROGRESS_COLUMNS = [
    _PROGRESS.c[name]
    for name in (
        "member_id",
        "challenge_id",
        "window_key",
        "progress",
        "target",
        "opens",
        "closes",
        "reached_at",
        "completed_at",
        "programme_version",
    )
]
_PROGRESS_OF = select(*_PROGRESS_COLUMNS).where(
    _PROGRESS.c.member_id == bindparam("m"),
    _PROGRESS.c.challenge_id == bindparam("c"),
    _PROGRESS.c.window_key == bindparam("w"),
)
_MEMBER_PROGRESS = (
    select(*_PROGRESS_COLUMNS)
    .where(_PROGRESS.c.member_id == bindparam("m"))
    .order_by(_PROGRESS.c.challenge_id, _PROGRESS.c.window_key)
)
_PROGRESS_INSERT = insert(_PROGRESS)
# Conditional on the progress read: two writers can never both move it (nor both complete it).
_PROGRESS_MOVE = (
    update(_PROGRESS)
    .where(
        _PROGRESS.c.member_id == bindparam("m"),
        _PROGRESS.c.challenge_id == bindparam("c"),
        _PROGRESS.c.window_key == bindparam("w"),
        _PROGRESS.c.progress == bindparam("previous"),
        _PROGRESS.c.completed_at.is_(None),
    )
    .values(
        progress=bindparam("progress"),
        reached_at=bindparam("reached_at"),
        completed_at=bindparam("completed_at"),
    )
)
_FORGET = delete(_COUNTED).where(
    _COUNTED.c.member_id == bindparam("m"),
    _COUNTED.c.challenge_id == bindparam("c"),
    _COUNTED.c.window_key == bindparam("w"),
    _COUNTED.c.item.in_(bindparam("items", expanding=True)),
)
_CONTRIBUTION_INSERT = insert(_CONTRIBUTIONS)
_CONTRIBUTIONS_OF = (
    delete(_CONTRIBUTIONS)
    .where(_CONTRIBUTIONS.c.purchase_id == bindparam("p"))
    .returning(
        _CONTRIBUTIONS.c.purchase_id,
        _CONTRIBUTIONS.c.member_id,
        _CONTRIBUTIONS.c.challenge_id,
        _CONTRIBUTIONS.c.window_key,
        _CONTRIBUTIONS.c.amount,
        _CONTRIBUTIONS.c["items"],  # not .items: that is the collection's method
    )
)
_BOUGHT_BEFORE = (
    select(_LINES.c.category)
    .distinct()
    .join(_PURCHASES, _PURCHASES.c.purchase_id == _LINES.c.purchase_id)
    .where(
        _PURCHASES.c.member_id == bindparam("m"),
        _PURCHASES.c.occurred_at < bindparam("before", type_=_PURCHASES.c.occurred_at.type),
        _LINES.c.category.in_(bindparam("categories", expanding=True)),
    )
)
_BADGES_OF = (
    select(_BADGES.c.badge_id, _BADGES.c.awarded_at, _BADGES.c.source_type, _BADGES.c.source_id)
    .where(_BADGES.c.member_id == bindparam("m"))
    .order_by(_BADGES.c.awarded_at, _BADGES.c.badge_id)
)
_WEEKS_OF = select(_WEEKS.c.week).where(_WEEKS.c.member_id == bindparam("m"))
_MILESTONES_OF = select(_MILESTONES.c.weeks, _MILESTONES.c.reached_week).where(
    _MILESTONES.c.member_id == bindparam("m")
)
_MILESTONE_INSERT = insert(_MILESTONES)
_PROFILE_OF = select(_PROFILES.c.nickname, _PROFILES.c.leaderboard, _PROFILES.c.updated_at).where(
    _PROFILES.c.member_id == bindparam("m")
)
_SHOWN = or_(_PROFILES.c.leaderboard.is_(None), _PROFILES.c.leaderboard.is_(True))
_CHALLENGE_BOARD = (
    select(
        _PROGRESS.c.member_id, _PROGRESS.c.progress, _PROGRESS.c.reached_at, _PROFILES.c.nickname
    )
    .outerjoin(_PROFILES, _PROFILES.c.member_id == _PROGRESS.c.member_id)
    .where(
        _PROGRESS.c.challenge_id == bindparam("c"),
        _PROGRESS.c.window_key == bindparam("w"),
        _PROGRESS.c.progress > 0,
        _SHOWN,
    )
    .order_by(
        _PROGRESS.c.progress.desc(), _PROGRESS.c.reached_at.asc(), _PROGRESS.c.member_id.asc()
    )
    .limit(bindparam("limit"))
)
_EARNED = func.sum(_ACTIVITY.c.points_earned).label("earned")
_LAST = func.max(_ACTIVITY.c.last_at).label("last_at")
_BY_MEMBER = (
    select(_ACTIVITY.c.member_id, _EARNED, _LAST)
    .where(_ACTIVITY.c.day >= bindparam("since"), _ACTIVITY.c.day < bindparam("until"))
    .group_by(_ACTIVITY.c.member_id)
    .having(_EARNED > 0)
    .subquery()
)
_POINTS_BOARD = (
    select(_BY_MEMBER.c.member_id, _BY_MEMBER.c.earned, _BY_MEMBER.c.last_at, _PROFILES.c.nickname)
    .outerjoin(_PROFILES, _PROFILES.c.member_id == _BY_MEMBER.c.member_id)
    .where(_SHOWN)
    .order_by(_BY_MEMBER.c.earned.desc(), _BY_MEMBER.c.last_at.asc(), _BY_MEMBER.c.member_id.asc())
    .limit(bindparam("limit"))
)


def _insert_new(table: Table) -> dict[str, Any]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING per dialect: a row back says it was new.

    (psycopg reports no row count for it, hence RETURNING, as idempotency.py does.)
    """
    key = table.c.member_id
    return {
        name: module.insert(table).on_conflict_do_nothing().returning(key)
        for name, module in (("postgresql", postgresql), ("sqlite", sqlite))
    }


def _profile_upsert(dialect: str) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(_PROFILES)
    return statement.on_conflict_do_update(
        index_elements=[_PROFILES.c.member_id],
        set_={
            "nickname": statement.excluded.nickname,
            "leaderboard": statement.excluded.leaderboard,
            "updated_at": statement.excluded.updated_at,
        },
    )


_COUNT_ONCE = _insert_new(_COUNTED)
_BADGE_ONCE = _insert_new(_BADGES)
_WEEK_ONCE = _insert_new(_WEEKS)
_PROFILE_PUT = {name: _profile_upsert(name) for name in ("postgresql", "sqlite")}


def _progress(row: Any) -> ChallengeProgress:
    return ChallengeProgress(*row)


class SqlGamificationRepository(SqlRepository):
    def _dialect(self) -> str:
        return self._db.dialect.name

    def progress(
        self, member_id: str, challenge_id: str, window_key: str
    ) -> ChallengeProgress | None:
        row = self._db.execute(
            _PROGRESS_OF, {"m": member_id, "c": challenge_id, "w": window_key}
        ).first()
        return _progress(row) if row else None

    def save_progress(self, progress: ChallengeProgress, previous: int | None) -> None:
        if previous is None:
            self._db.execute(
                _PROGRESS_INSERT,
                {column.name: getattr(progress, column.name) for column in _PROGRESS_COLUMNS},
            )
            return
        moved = self._db.execute(
            _PROGRESS_MOVE,
            {
                "m": progress.member_id,
                "c": progress.challenge_id,
                "w": progress.window_key,
                "previous": previous,
                "progress": progress.progress,
                "reached_at": progress.reached_at,
                "completed_at": progress.completed_at,
            },
        )
        if moved.rowcount != 1:
            raise LostProgressRace(f"progress of {progress.challenge_id} moved concurrently")

    def member_progress(self, member_id: str) -> list[ChallengeProgress]:
        return [_progress(row) for row in self._db.execute(_MEMBER_PROGRESS, {"m": member_id})]

    def count_once(self, member_id: str, challenge_id: str, window_key: str, item: str) -> bool:
        values = {
            "member_id": member_id,
            "challenge_id": challenge_id,
            "window_key": window_key,
            "item": item[:200],
        }
        return self._db.execute(_COUNT_ONCE[self._dialect()], values).first() is not None

    def forget_counted(
        self, member_id: str, challenge_id: str, window_key: str, items: Collection[str]
    ) -> None:
        if items:
            values = {"m": member_id, "c": challenge_id, "w": window_key, "items": list(items)}
            self._db.execute(_FORGET, values)

    def add_contribution(self, contribution: Contribution) -> None:
        self._db.execute(
            _CONTRIBUTION_INSERT,
            {
                "purchase_id": contribution.purchase_id,
                "member_id": contribution.member_id,
                "challenge_id": contribution.challenge_id,
                "window_key": contribution.window_key,
                "amount": contribution.amount,
                "items": list(contribution.items),
            },
        )

    def take_contributions(self, purchase_id: str) -> list[Contribution]:
        rows = self._db.execute(_CONTRIBUTIONS_OF, {"p": purchase_id})
        found = [
            Contribution(purchase, member, challenge, window, amount, tuple(items))
            for purchase, member, challenge, window, amount, items in rows
        ]
        return sorted(found, key=lambda c: (c.challenge_id, c.window_key))

    def categories_bought_before(
        self, member_id: str, categories: Collection[str], before: datetime
    ) -> set[str]:
        if not categories:
            return set()
        rows = self._db.execute(
            _BOUGHT_BEFORE, {"m": member_id, "before": before, "categories": list(categories)}
        )
        return {row[0] for row in rows}

    def award_badge(
        self, member_id: str, badge_id: str, at: datetime, source_type: str, source_id: str
    ) -> bool:
        values = {
            "member_id": member_id,
            "badge_id": badge_id,
            "awarded_at": at,
            "source_type": source_type,
            "source_id": source_id,
        }
        return self._db.execute(_BADGE_ONCE[self._dialect()], values).first() is not None

    def badges(self, member_id: str) -> list[AwardedBadge]:
        return [AwardedBadge(*row) for row in self._db.execute(_BADGES_OF, {"m": member_id})]

    def add_streak_week(self, member_id: str, week: date) -> bool:
        values = {"member_id": member_id, "week": week}
        return self._db.execute(_WEEK_ONCE[self._dialect()], values).first() is not None

    def streak_weeks(self, member_id: str) -> set[date]:
        return {row[0] for row in self._db.execute(_WEEKS_OF, {"m": member_id})}

    def milestones_reached(self, member_id: str) -> dict[int, list[date]]:
        reached: dict[int, list[date]] = defaultdict(list)
        for weeks, week in self._db.execute(_MILESTONES_OF, {"m": member_id}):
            reached[weeks].append(week)
        return dict(reached)

    def add_milestone(self, member_id: str, weeks: int, reached_week: date, at: datetime) -> None:
        values = {
            "member_id": member_id,
            "weeks": weeks,
            "reached_week": reached_week,
            "awarded_at": at,
        }
        self._db.execute(_MILESTONE_INSERT, values)

    def profile(self, member_id: str) -> Profile | None:
        row = self._db.execute(_PROFILE_OF, {"m": member_id}).first()
        return Profile(member_id, row[0], bool(row[1]), row[2]) if row else None

    def put_profile(self, profile: Profile) -> None:
        values = {
            "member_id": profile.member_id,
            "nickname": profile.nickname,
            "leaderboard": profile.leaderboard,
            "updated_at": profile.updated_at,
        }
        self._db.execute(_PROFILE_PUT[self._dialect()], values)

    def challenge_board(self, challenge_id: str, window_key: str, limit: int) -> list[Standing]:
        rows = self._db.execute(
            _CHALLENGE_BOARD, {"c": challenge_id, "w": window_key, "limit": limit}
        )
        return [Standing(member, value, at, nickname) for member, value, at, nickname in rows]

    def points_board(self, since: date, until: date, limit: int) -> list[Standing]:
        rows = self._db.execute(_POINTS_BOARD, {"since": since, "until": until, "limit": limit})
        return [Standing(member, int(value), at, nickname) for member, value, at, nickname in rows]
