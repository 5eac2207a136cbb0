"""Member tiers, tier history and daily activity in SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    bindparam,
    case,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import ID, Base
from loyalo.application.ports import ActivityTotals, TierHistoryEntry
from loyalo.domain.tiers.qualification import TierState


class MemberTierRow(Base):
    __tablename__ = "member_tiers"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    tier_id: Mapped[str] = mapped_column(String(80))
    since: Mapped[datetime]
    review_at: Mapped[datetime | None] = mapped_column(index=True)
    downgrade_at: Mapped[datetime | None]
    programme_version: Mapped[int] = mapped_column(Integer)


class TierHistoryRow(Base):
    __tablename__ = "tier_history"

    history_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    at: Mapped[datetime]
    from_tier: Mapped[str | None] = mapped_column(String(80))
    to_tier: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(String(32))
    metric: Mapped[int] = mapped_column(BigInteger)
    programme_version: Mapped[int] = mapped_column(Integer)


class MemberActivityRow(Base):
    __tablename__ = "member_activity_daily"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    spend_minor: Mapped[int] = mapped_column(BigInteger)
    points_earned: Mapped[int] = mapped_column(BigInteger)
    last_at: Mapped[datetime]


# Built once: every purchase reads and writes these (see docs/BENCHMARKS.md).
_TIERS = cast(Table, MemberTierRow.__table__)
_ACTIVITY = cast(Table, MemberActivityRow.__table__)
_TIER_OF = select(
    _TIERS.c.tier_id, _TIERS.c.since, _TIERS.c.review_at, _TIERS.c.downgrade_at
).where(_TIERS.c.member_id == bindparam("tier_member_id"))
_TIER_INSERT = insert(_TIERS)
_TIER_UPDATE = (
    update(_TIERS)
    .where(_TIERS.c.member_id == bindparam("tier_member_id"))
    .values(
        tier_id=bindparam("tier_id"),
        since=bindparam("since"),
        review_at=bindparam("review_at"),
        downgrade_at=bindparam("downgrade_at"),
        programme_version=bindparam("programme_version"),
    )
)
_HISTORY_INSERT = insert(cast(Table, TierHistoryRow.__table__))
_LIFETIME_SPEND = func.coalesce(func.sum(_ACTIVITY.c.spend_minor), 0)
_TOTALS = select(
    _LIFETIME_SPEND,
    func.coalesce(func.sum(_ACTIVITY.c.points_earned), 0),
    func.max(_ACTIVITY.c.last_at),
    _LIFETIME_SPEND,
).where(_ACTIVITY.c.member_id == bindparam("activity_member_id"))
_IN_WINDOW = _ACTIVITY.c.day >= bindparam("activity_since")
# One scan of the member's days gives the window's sums and the lifetime spend.
_TOTALS_SINCE = select(
    func.coalesce(func.sum(case((_IN_WINDOW, _ACTIVITY.c.spend_minor))), 0),
    func.coalesce(func.sum(case((_IN_WINDOW, _ACTIVITY.c.points_earned))), 0),
    func.max(case((_IN_WINDOW, _ACTIVITY.c.last_at))),
    _LIFETIME_SPEND,
).where(_ACTIVITY.c.member_id == bindparam("activity_member_id"))


def _activity_upsert(dialect: str) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(_ACTIVITY)
    excluded = statement.excluded
    latest = func.max if dialect == "sqlite" else func.greatest
    return statement.on_conflict_do_update(
        index_elements=[_ACTIVITY.c.member_id, _ACTIVITY.c.day],
        set_={
            "spend_minor": _ACTIVITY.c.spend_minor + excluded.spend_minor,
            "points_earned": _ACTIVITY.c.points_earned + excluded.points_earned,
            "last_at": latest(_ACTIVITY.c.last_at, excluded.last_at),
        },
    )


_ACTIVITY_UPSERT = {name: _activity_upsert(name) for name in ("postgresql", "sqlite")}


class SqlTierRepository(SqlRepository):
    def get(self, member_id: str) -> TierState | None:
        row = self._db.execute(_TIER_OF, {"tier_member_id": member_id}).first()
        if row is None:
            return None
        return TierState(row.tier_id, row.since, row.review_at, row.downgrade_at)

    def put(self, member_id: str, state: TierState, version: int) -> None:
        values = {
            "tier_id": state.tier_id,
            "since": state.since,
            "review_at": state.review_at,
            "downgrade_at": state.downgrade_at,
            "programme_version": version,
        }
        changed = self._db.execute(_TIER_UPDATE, {"tier_member_id": member_id, **values})
        if changed.rowcount == 0:
            self._db.execute(_TIER_INSERT, {"member_id": member_id, **values})

    def add_history(self, entry: TierHistoryEntry) -> None:
        self._db.execute(
            _HISTORY_INSERT,
            {
                "history_id": entry.history_id,
                "member_id": entry.member_id,
                "at": entry.at,
                "from_tier": entry.from_tier,
                "to_tier": entry.to_tier,
                "reason": entry.reason,
                "metric": entry.metric,
                "programme_version": entry.programme_version,
            },
        )

    def history(self, member_id: str) -> list[TierHistoryEntry]:
        rows = self._session.scalars(
            select(TierHistoryRow)
            .where(TierHistoryRow.member_id == member_id)
            .order_by(TierHistoryRow.at, TierHistoryRow.history_id)
        )
        return [
            TierHistoryEntry(
                r.history_id,
                r.member_id,
                r.at,
                r.from_tier,
                r.to_tier,
                r.reason,
                r.metric,
                r.programme_version,
            )
            for r in rows
        ]

    def due_for_review(self, now: datetime, limit: int) -> list[str]:
        return list(
            self._session.scalars(
                select(MemberTierRow.member_id)
                .where(MemberTierRow.review_at <= now)
                .order_by(MemberTierRow.member_id)
                .limit(limit)
            )
        )


class SqlActivityRepository(SqlRepository):
    def add(self, member_id: str, day: date, at: datetime, spend_minor: int, points: int) -> None:
        dialect = self._session.get_bind().dialect.name
        self._db.execute(
            _ACTIVITY_UPSERT.get(dialect, _ACTIVITY_UPSERT["sqlite"]),
            {
                "member_id": member_id,
                "day": day,
                "spend_minor": spend_minor,
                "points_earned": points,
                "last_at": at,
            },
        )

    def totals(self, member_id: str, since: date | None = None) -> ActivityTotals:
        if since is None:
            found = self._db.execute(_TOTALS, {"activity_member_id": member_id})
        else:
            found = self._db.execute(
                _TOTALS_SINCE, {"activity_member_id": member_id, "activity_since": since}
            )
        spend, points, last, lifetime = found.one()
        return ActivityTotals(int(spend), int(points), last, int(lifetime))

    def inactive_since(self, before: datetime, limit: int) -> list[str]:
        last = func.max(MemberActivityRow.last_at)
        return list(
            self._session.scalars(
                select(MemberActivityRow.member_id)
                .group_by(MemberActivityRow.member_id)
                .having(last < before)
                .order_by(MemberActivityRow.member_id)
                .limit(limit)
            )
        )
