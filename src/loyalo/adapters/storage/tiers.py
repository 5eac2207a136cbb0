"""Member tiers, tier history and daily activity in SQL."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class SqlTierRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, member_id: str) -> TierState | None:
        row = self._session.get(MemberTierRow, member_id)
        if row is None:
            return None
        return TierState(row.tier_id, row.since, row.review_at, row.downgrade_at)

    def put(self, member_id: str, state: TierState, version: int) -> None:
        row = self._session.get(MemberTierRow, member_id)
        if row is None:
            row = MemberTierRow(member_id=member_id)
            self._session.add(row)
        row.tier_id = state.tier_id
        row.since = state.since
        row.review_at = state.review_at
        row.downgrade_at = state.downgrade_at
        row.programme_version = version
        self._session.flush()

    def add_history(self, entry: TierHistoryEntry) -> None:
        self._session.add(
            TierHistoryRow(
                history_id=entry.history_id,
                member_id=entry.member_id,
                at=entry.at,
                from_tier=entry.from_tier,
                to_tier=entry.to_tier,
                reason=entry.reason,
                metric=entry.metric,
                programme_version=entry.programme_version,
            )
        )
        self._session.flush()

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


class SqlActivityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, member_id: str, day: date, at: datetime, spend_minor: int, points: int) -> None:
        dialect = self._session.get_bind().dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        table: Any = MemberActivityRow.__table__
        statement = module.insert(table).values(
            member_id=member_id, day=day, spend_minor=spend_minor, points_earned=points, last_at=at
        )
        excluded = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.member_id, table.c.day],
            set_={
                "spend_minor": table.c.spend_minor + excluded.spend_minor,
                "points_earned": table.c.points_earned + excluded.points_earned,
                "last_at": func.max(table.c.last_at, excluded.last_at)
                if dialect == "sqlite"
                else func.greatest(table.c.last_at, excluded.last_at),
            },
        )
        self._session.execute(statement)

    def totals(self, member_id: str, since: date | None = None) -> ActivityTotals:
        query = select(
            func.coalesce(func.sum(MemberActivityRow.spend_minor), 0),
            func.coalesce(func.sum(MemberActivityRow.points_earned), 0),
            func.max(MemberActivityRow.last_at),
        ).where(MemberActivityRow.member_id == member_id)
        if since is not None:
            query = query.where(MemberActivityRow.day >= since)
        spend, points, last = self._session.execute(query).one()
        return ActivityTotals(int(spend), int(points), last)

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
