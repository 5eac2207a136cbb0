"""Referrals in SQL: codes, referrals and their rewards, read as plain columns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, case, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables_referrals import ReferralCodeRow, ReferralRewardRow, ReferralRow
from loyalo.application.referrals.ports import (
    ReferralReward,
    ReferralTally,
    Settled,
    StoredReferral,
)
from loyalo.domain.referrals.decisions import ReferralStatus, RefusalReason, Side, Stage

_REFERRAL_FIELDS = (
    "referral_id",
    "friend_id",
    "advocate_id",
    "code",
    "status",
    "reason",
    "programme_version",
    "created_at",
    "rewarded_at",
    "qualified_at",
    "purchase_id",
)
_REWARD_FIELDS = (
    "reward_id",
    "referral_id",
    "member_id",
    "stage",
    "side",
    "points",
    "entry_id",
    "earned_at",
    "available_at",
    "reversed_at",
    "reversal_entry_id",
)
_REFERRAL_COLUMNS = [getattr(ReferralRow, name) for name in _REFERRAL_FIELDS]
_REWARD_COLUMNS = [getattr(ReferralRewardRow, name) for name in _REWARD_FIELDS]

# Built once: every purchase of every member asks whether it settles a pending referral.
_OF_FRIEND = select(*_REFERRAL_COLUMNS).where(ReferralRow.friend_id == bindparam("friend"))
_CODE_OF = select(ReferralCodeRow.code).where(ReferralCodeRow.member_id == bindparam("member"))
_OWNER_OF = select(ReferralCodeRow.member_id).where(ReferralCodeRow.code == bindparam("code"))
_OF_ADVOCATE = (
    select(*_REFERRAL_COLUMNS)
    .where(ReferralRow.advocate_id == bindparam("advocate"))
    .order_by(ReferralRow.created_at.desc(), ReferralRow.referral_id)
    .limit(bindparam("limit"))
)
_REWARDS_OF_REFERRAL = (
    select(*_REWARD_COLUMNS)
    .where(ReferralRewardRow.referral_id == bindparam("referral"))
    .order_by(ReferralRewardRow.earned_at, ReferralRewardRow.side)
)
_STILL_PENDING = exists().where(
    and_(
        ReferralRewardRow.referral_id == ReferralRow.referral_id,
        ReferralRewardRow.reversed_at.is_(None),
        ReferralRewardRow.available_at > bindparam("now"),
    )
)
_TALLY = (
    select(
        ReferralRow.status,
        func.count(),
        func.coalesce(func.sum(case((_STILL_PENDING, 1), else_=0)), 0),
    )
    .where(ReferralRow.advocate_id == bindparam("advocate"))
    .group_by(ReferralRow.status)
)
_ADVOCATE_POINTS = select(
    func.coalesce(
        func.sum(
            case((ReferralRewardRow.available_at > bindparam("now"), ReferralRewardRow.points))
        ),
        0,
    ),
    func.coalesce(func.sum(ReferralRewardRow.points), 0),
).where(
    ReferralRewardRow.member_id == bindparam("advocate"),
    ReferralRewardRow.side == Side.ADVOCATE.value,
    ReferralRewardRow.reversed_at.is_(None),
)
_INSERT_REFERRAL = insert(ReferralRow)
_INSERT_REWARD = insert(ReferralRewardRow)
_REVERSE = (
    update(ReferralRewardRow)
    .where(ReferralRewardRow.reward_id == bindparam("reward"))
    .where(ReferralRewardRow.reversed_at.is_(None))
    .values(reversed_at=bindparam("at"), reversal_entry_id=bindparam("entry"))
)


def _referral(row: Any) -> StoredReferral:
    values = {name: getattr(row, name) for name in _REFERRAL_FIELDS}
    values["status"] = ReferralStatus(values["status"])
    values["reason"] = RefusalReason(values["reason"]) if values["reason"] else None
    return StoredReferral(**values)


def _reward(row: Any) -> ReferralReward:
    values = {name: getattr(row, name) for name in _REWARD_FIELDS}
    values["stage"], values["side"] = Stage(values["stage"]), Side(values["side"])
    return ReferralReward(**values)


class SqlReferralRepository(SqlRepository):
    def code_of(self, member_id: str) -> str | None:
        code: str | None = self._db.execute(_CODE_OF, {"member": member_id}).scalar()
        return code

    def add_code(self, member_id: str, code: str, at: datetime) -> None:
        dialect = self._session.get_bind().dialect.name
        module: Any = postgresql if dialect == "postgresql" else sqlite
        self._db.execute(
            module.insert(ReferralCodeRow)
            .values(member_id=member_id, code=code, created_at=at)
            .on_conflict_do_nothing()
        )

    def owner_of(self, code: str) -> str | None:
        owner: str | None = self._db.execute(_OWNER_OF, {"code": code}).scalar()
        return owner

    def add(self, referral: StoredReferral) -> None:
        values = {name: getattr(referral, name) for name in _REFERRAL_FIELDS}
        values["status"] = referral.status.value
        values["reason"] = referral.reason.value if referral.reason else None
        self._db.execute(_INSERT_REFERRAL, values)

    def of_friend(self, friend_id: str) -> StoredReferral | None:
        row = self._db.execute(_OF_FRIEND, {"friend": friend_id}).first()
        return _referral(row) if row else None

    def of_advocate(self, advocate_id: str, limit: int) -> list[StoredReferral]:
        rows = self._db.execute(_OF_ADVOCATE, {"advocate": advocate_id, "limit": limit})
        return [_referral(row) for row in rows]

    def rewarded_since(self, advocate_id: str, since: datetime | None) -> int:
        statement = (
            select(func.count())
            .select_from(ReferralRow)
            .where(ReferralRow.advocate_id == advocate_id)
            .where(ReferralRow.rewarded_at.is_not(None))
        )
        if since is not None:
            statement = statement.where(ReferralRow.rewarded_at >= since)
        return int(self._db.execute(statement).scalar() or 0)

    def tally(self, advocate_id: str, now: datetime) -> ReferralTally:
        params = {"advocate": advocate_id, "now": now}
        by_status = {row[0]: (int(row[1]), int(row[2])) for row in self._db.execute(_TALLY, params)}
        pending_points, earned = self._db.execute(_ADVOCATE_POINTS, params).one()
        qualified, still_pending = by_status.get(ReferralStatus.QUALIFIED.value, (0, 0))
        return ReferralTally(
            invited=sum(count for count, _ in by_status.values()),
            qualified=qualified,
            rewarded=qualified - still_pending,
            refused=by_status.get(ReferralStatus.REFUSED.value, (0, 0))[0],
            reversed=by_status.get(ReferralStatus.REVERSED.value, (0, 0))[0],
            points_pending=int(pending_points),
            points_earned=int(earned),
        )

    def settle(self, referral_id: str, expected: ReferralStatus, settled: Settled) -> bool:
        values: dict[str, Any] = {"status": settled.status.value, "reason": None}
        if settled.reason is not None:
            values["reason"] = settled.reason.value
        if settled.status is ReferralStatus.QUALIFIED:
            values["qualified_at"] = settled.at
        if settled.purchase_id is not None:
            values["purchase_id"] = settled.purchase_id
        if settled.rewarded:
            values["rewarded_at"] = settled.at
        result = self._db.execute(
            update(ReferralRow)
            .where(ReferralRow.referral_id == referral_id)
            .where(ReferralRow.status == expected.value)
            .values(**values)
        )
        return bool(result.rowcount == 1)

    def add_reward(self, reward: ReferralReward) -> None:
        values = {name: getattr(reward, name) for name in _REWARD_FIELDS}
        values["stage"], values["side"] = reward.stage.value, reward.side.value
        self._db.execute(_INSERT_REWARD, values)

    def rewards_of_referral(self, referral_id: str) -> list[ReferralReward]:
        return [
            _reward(r) for r in self._db.execute(_REWARDS_OF_REFERRAL, {"referral": referral_id})
        ]

    def reverse_reward(self, reward_id: str, at: datetime, entry_id: str) -> bool:
        result = self._db.execute(_REVERSE, {"reward": reward_id, "at": at, "entry": entry_id})
        return bool(result.rowcount == 1)
