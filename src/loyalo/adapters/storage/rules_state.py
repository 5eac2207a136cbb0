"""What the rules engine remembers between purchases: limit usage, campaign budgets,
stamp cards, issued rewards and the events members sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import ID, Base
from loyalo.application.ports import IssuedReward, StoredEvent
from loyalo.domain.stamps import StampCard, Stamped, Unstamped, add_stamps, take_back_stamps


class RuleUsageRow(Base):
    __tablename__ = "rule_usage"

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    times: Mapped[int] = mapped_column(Integer)


class RuleBudgetRow(Base):
    __tablename__ = "rule_budgets"

    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    points_given: Mapped[int] = mapped_column(BigInteger)


class StampCardRow(Base):
    __tablename__ = "stamp_cards"
    __table_args__ = (
        CheckConstraint("stamps >= 0", name="stamps_not_negative"),
        CheckConstraint("owed >= 0", name="owed_not_negative"),
    )

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    card: Mapped[str] = mapped_column(String(80), primary_key=True)
    stamps: Mapped[int] = mapped_column(Integer)
    owed: Mapped[int] = mapped_column(Integer, default=0)  # taken back after completing a card
    completed: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class IssuedRewardRow(Base):
    __tablename__ = "issued_rewards"

    reward_issue_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    reward: Mapped[str] = mapped_column(String(80))
    rule_id: Mapped[str] = mapped_column(String(80))
    programme_version: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))


class MemberEventRow(Base):
    __tablename__ = "member_events"
    __table_args__ = (UniqueConstraint("member_id", "event_key", name="uq_member_events_key"),)

    event_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    event_key: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(64), index=True)
    attributes: Mapped[dict[str, Any]]
    channel: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    recorded_at: Mapped[datetime]
    programme_version: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(BigInteger)


def _upsert(
    session: Session, row: type[Base], keys: list[str], values: dict[str, Any], add: dict[str, Any]
) -> None:
    """INSERT, or add ``add`` to the existing row's columns, in one statement."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table: Any = row.__table__
    statement = module.insert(table).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[key] for key in keys],
        set_={column: table.c[column] + amount for column, amount in add.items()},
    )
    session.execute(statement)


class SqlRulesState(SqlRepository):
    def usage_count(self, member_id: str, rule_id: str, bucket: str) -> int:
        row = self._session.get(RuleUsageRow, (member_id, rule_id, bucket))
        return row.times if row else 0

    def add_usage(self, member_id: str, rule_id: str, bucket: str) -> None:
        values = {"member_id": member_id, "rule_id": rule_id, "bucket": bucket, "times": 1}
        _upsert(
            self._session, RuleUsageRow, ["member_id", "rule_id", "bucket"], values, {"times": 1}
        )

    def budget_given(self, rule_id: str) -> int:
        given = self._session.scalar(
            select(RuleBudgetRow.points_given).where(RuleBudgetRow.rule_id == rule_id)
        )
        return int(given or 0)

    def add_budget(self, rule_id: str, points: int) -> None:
        values = {"rule_id": rule_id, "points_given": points}
        _upsert(self._session, RuleBudgetRow, ["rule_id"], values, {"points_given": points})

    def lock_budget(self, rule_id: str) -> int:
        """The points a campaign has given, with its row locked until commit."""
        self.add_budget(rule_id, 0)  # make sure the row exists, and lock it on PostgreSQL
        given = self._session.scalar(
            select(RuleBudgetRow.points_given)
            .where(RuleBudgetRow.rule_id == rule_id)
            .with_for_update()
        )
        return int(given or 0)

    def add_stamps(
        self, member_id: str, card: str, stamps: int, goal: int, now: datetime
    ) -> Stamped:
        """Add stamps: they settle what is owed, then fill the card (the rest carry over).

        The caller holds the member's lock, so the card is read and written alone.
        """
        row = self._card_row(member_id, card, now)
        stamped = add_stamps(_card(row), stamps, goal)
        self._store(row, stamped.card, now)
        return stamped

    def take_back_stamps(self, member_id: str, card: str, stamps: int, now: datetime) -> Unstamped:
        """A return's stamps: off the card, and owed for what it no longer holds."""
        row = self._card_row(member_id, card, now)
        unstamped = take_back_stamps(_card(row), stamps)
        self._store(row, unstamped.card, now)
        return unstamped

    def stamps(self, member_id: str) -> dict[str, int]:
        return {card: found.stamps for card, found in self.stamp_cards(member_id).items()}

    def stamp_cards(self, member_id: str) -> dict[str, StampCard]:
        rows = self._session.scalars(
            select(StampCardRow).where(StampCardRow.member_id == member_id)
        )
        return {row.card: _card(row) for row in rows}

    def _card_row(self, member_id: str, card: str, now: datetime) -> StampCardRow:
        row = self._session.get(StampCardRow, (member_id, card))
        if row is None:
            row = StampCardRow(
                member_id=member_id, card=card, stamps=0, owed=0, completed=0, updated_at=now
            )
            self._session.add(row)
        return row

    def _store(self, row: StampCardRow, card: StampCard, now: datetime) -> None:
        row.stamps, row.owed, row.completed = card.stamps, card.owed, card.completed
        row.updated_at = now
        self._session.flush()

    def issue_reward(self, reward: IssuedReward) -> None:
        self._session.add(
            IssuedRewardRow(
                reward_issue_id=reward.reward_issue_id,
                member_id=reward.member_id,
                reward=reward.reward,
                rule_id=reward.rule_id,
                programme_version=reward.programme_version,
                source_type=reward.source_type,
                source_id=reward.source_id,
                issued_at=reward.issued_at,
                status="issued",
            )
        )
        self._session.flush()

    def rewards(self, member_id: str) -> list[IssuedReward]:
        rows = self._session.scalars(
            select(IssuedRewardRow)
            .where(IssuedRewardRow.member_id == member_id)
            .order_by(IssuedRewardRow.issued_at)
        )
        return [
            IssuedReward(
                r.reward_issue_id,
                r.member_id,
                r.reward,
                r.rule_id,
                r.programme_version,
                r.source_type,
                r.source_id,
                r.issued_at,
            )
            for r in rows
        ]

    def add_event(self, event: StoredEvent) -> None:
        self._session.add(
            MemberEventRow(
                event_id=event.event_id,
                member_id=event.member_id,
                event_key=event.event_key,
                name=event.name,
                attributes=dict(event.attributes),
                channel=event.channel,
                occurred_at=event.occurred_at,
                recorded_at=event.recorded_at,
                programme_version=event.programme_version,
                points=event.points,
            )
        )
        self._session.flush()

    def event_by_key(self, member_id: str, event_key: str) -> StoredEvent | None:
        row = self._session.scalars(
            select(MemberEventRow)
            .where(MemberEventRow.member_id == member_id)
            .where(MemberEventRow.event_key == event_key)
        ).first()
        return _to_event(row) if row else None

    def events_between(self, start: datetime, end: datetime) -> list[StoredEvent]:
        rows = self._session.scalars(
            select(MemberEventRow)
            .where(MemberEventRow.occurred_at >= start, MemberEventRow.occurred_at < end)
            .order_by(MemberEventRow.occurred_at, MemberEventRow.event_id)
        )
        return [_to_event(row) for row in rows]

    def count_events(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(MemberEventRow)) or 0)


def _card(row: StampCardRow) -> StampCard:
    return StampCard(row.stamps, row.owed, row.completed)


def _to_event(row: MemberEventRow) -> StoredEvent:
    return StoredEvent(
        event_id=row.event_id,
        member_id=row.member_id,
        event_key=row.event_key,
        name=row.name,
        attributes=dict(row.attributes),
        channel=row.channel,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        programme_version=row.programme_version,
        points=row.points,
    )
