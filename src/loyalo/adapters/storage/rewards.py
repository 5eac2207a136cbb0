"""The rewards catalogue in SQL: stock and limit counters taken by conditional
updates, redemptions, and donation receipts.

A unit of stock is taken with ``UPDATE reward_stock SET taken = taken + 1 WHERE
reward_id = ? AND taken < stock``: on PostgreSQL a concurrent redemption waits
for the row, then re-evaluates the condition on the committed value, so exactly
``stock`` redemptions ever succeed. Limit slots work the same way per (reward,
member or ``*``, period). The rows are created first with ``INSERT … ON CONFLICT
DO NOTHING``, which never blocks on an existing row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables_catalogue import (
    DonationRow,
    RedemptionRow,
    RewardCounterRow,
    RewardStockRow,
)
from loyalo.domain.rewards.redemption import (
    CauseTotal,
    Delivery,
    Donation,
    Redemption,
    RedemptionStatus,
)

_STOCK = cast(Table, RewardStockRow.__table__)
_COUNTERS = cast(Table, RewardCounterRow.__table__)
_REDEMPTIONS = cast(Table, RedemptionRow.__table__)
_DONATIONS = cast(Table, DonationRow.__table__)


def _ensure(table: Table) -> dict[str, Any]:
    """INSERT … ON CONFLICT DO NOTHING for each engine, built once."""
    return {
        "postgresql": postgresql.insert(table).on_conflict_do_nothing(),
        "sqlite": sqlite.insert(table).on_conflict_do_nothing(),
    }


_ENSURE_STOCK = _ensure(_STOCK)
_ENSURE_COUNTER = _ensure(_COUNTERS)
_TAKE_STOCK = (
    update(_STOCK)
    .where(_STOCK.c.reward_id == bindparam("stock_reward_id"))
    .where(_STOCK.c.taken < bindparam("stock_limit"))
    .values(taken=_STOCK.c.taken + 1)
)
_GIVE_BACK_STOCK = (
    update(_STOCK)
    .where(_STOCK.c.reward_id == bindparam("stock_reward_id"))
    .values(taken=_STOCK.c.taken - 1)
)
_STOCK_TAKEN = select(_STOCK.c.reward_id, _STOCK.c.taken).where(
    _STOCK.c.reward_id.in_(bindparam("stock_reward_ids", expanding=True))
)
_COUNTER_IS = (
    (_COUNTERS.c.reward_id == bindparam("counter_reward_id"))
    & (_COUNTERS.c.scope == bindparam("counter_scope"))
    & (_COUNTERS.c.bucket == bindparam("counter_bucket"))
)
_TAKE_SLOT = (
    update(_COUNTERS)
    .where(_COUNTER_IS)
    .where(_COUNTERS.c.times < bindparam("counter_limit"))
    .values(times=_COUNTERS.c.times + 1)
)
_GIVE_BACK_SLOT = update(_COUNTERS).where(_COUNTER_IS).values(times=_COUNTERS.c.times - 1)
_TIMES = select(_COUNTERS.c.reward_id, _COUNTERS.c.bucket, _COUNTERS.c.times).where(
    _COUNTERS.c.scope == bindparam("times_scope"),
    _COUNTERS.c.reward_id.in_(bindparam("times_reward_ids", expanding=True)),
)
_INSERT_REDEMPTION = insert(_REDEMPTIONS)
_REDEMPTION = select(_REDEMPTIONS).where(
    _REDEMPTIONS.c.redemption_id == bindparam("get_redemption_id")
)
_CANCEL = (
    update(_REDEMPTIONS)
    .where(_REDEMPTIONS.c.redemption_id == bindparam("cancel_redemption_id"))
    .where(_REDEMPTIONS.c.status == RedemptionStatus.ACTIVE.value)
    .values(
        status=RedemptionStatus.CANCELLED.value,
        cancelled_at=bindparam("cancel_at"),
        cancel_entry_id=bindparam("cancel_entry"),
    )
)
_OF_MEMBER = (
    select(_REDEMPTIONS)
    .where(_REDEMPTIONS.c.member_id == bindparam("of_member_id"))
    .order_by(_REDEMPTIONS.c.created_at.desc(), _REDEMPTIONS.c.redemption_id.desc())
    .limit(bindparam("of_limit"))
)
_OF_MEMBER_BEFORE = _OF_MEMBER.where(_REDEMPTIONS.c.created_at < bindparam("of_before"))
_INSERT_DONATION = insert(_DONATIONS)
_DONATIONS_OF = (
    select(_DONATIONS)
    .where(_DONATIONS.c.member_id == bindparam("donations_member_id"))
    .order_by(_DONATIONS.c.created_at, _DONATIONS.c.donation_id)
)
_CAUSE_TOTALS = (
    select(
        _DONATIONS.c.cause,
        _DONATIONS.c.currency,
        func.sum(_DONATIONS.c.amount_minor).label("amount_minor"),
        func.sum(_DONATIONS.c.points).label("points"),
        func.count().label("donations"),
        func.count(func.distinct(_DONATIONS.c.member_id)).label("donors"),
    )
    .group_by(_DONATIONS.c.cause, _DONATIONS.c.currency)
    .order_by(_DONATIONS.c.cause, _DONATIONS.c.currency)
)
_CAUSE_TOTAL = _CAUSE_TOTALS.where(_DONATIONS.c.cause == bindparam("total_cause"))


class SqlRewardRepository(SqlRepository):
    def stock_taken(self, reward_ids: Sequence[str]) -> dict[str, int]:
        if not reward_ids:
            return {}
        rows = self._db.execute(_STOCK_TAKEN, {"stock_reward_ids": list(reward_ids)})
        return {row.reward_id: int(row.taken) for row in rows}

    def times(
        self, reward_ids: Sequence[str], scope: str, buckets: dict[str, str]
    ) -> dict[str, int]:
        wanted = [reward_id for reward_id in reward_ids if reward_id in buckets]
        if not wanted:
            return {}
        rows = self._db.execute(_TIMES, {"times_scope": scope, "times_reward_ids": wanted})
        return {
            row.reward_id: int(row.times) for row in rows if buckets[row.reward_id] == row.bucket
        }

    def take_stock(self, reward_id: str, stock: int) -> bool:
        self._db.execute(self._ensure(_ENSURE_STOCK), {"reward_id": reward_id, "taken": 0})
        taken = self._db.execute(_TAKE_STOCK, {"stock_reward_id": reward_id, "stock_limit": stock})
        return taken.rowcount == 1

    def give_back_stock(self, reward_id: str) -> None:
        self._db.execute(_GIVE_BACK_STOCK, {"stock_reward_id": reward_id})

    def take_slot(self, reward_id: str, scope: str, bucket: str, times: int) -> bool:
        self._db.execute(
            self._ensure(_ENSURE_COUNTER),
            {"reward_id": reward_id, "scope": scope, "bucket": bucket, "times": 0},
        )
        taken = self._db.execute(
            _TAKE_SLOT,
            {
                "counter_reward_id": reward_id,
                "counter_scope": scope,
                "counter_bucket": bucket,
                "counter_limit": times,
            },
        )
        return taken.rowcount == 1

    def give_back_slot(self, reward_id: str, scope: str, bucket: str) -> None:
        self._db.execute(
            _GIVE_BACK_SLOT,
            {"counter_reward_id": reward_id, "counter_scope": scope, "counter_bucket": bucket},
        )

    def add(self, redemption: Redemption) -> None:
        self._db.execute(_INSERT_REDEMPTION, _redemption_values(redemption))

    def get(self, redemption_id: str) -> Redemption | None:
        row = self._db.execute(_REDEMPTION, {"get_redemption_id": redemption_id}).first()
        return _redemption(row) if row else None

    def cancel(self, redemption_id: str, at: datetime, entry_id: str | None) -> bool:
        cancelled = self._db.execute(
            _CANCEL,
            {"cancel_redemption_id": redemption_id, "cancel_at": at, "cancel_entry": entry_id},
        )
        return cancelled.rowcount == 1

    def of_member(self, member_id: str, limit: int, before: datetime | None) -> list[Redemption]:
        params: dict[str, Any] = {"of_member_id": member_id, "of_limit": limit}
        statement = _OF_MEMBER
        if before is not None:
            statement, params["of_before"] = _OF_MEMBER_BEFORE, before
        return [_redemption(row) for row in self._db.execute(statement, params)]

    def add_donation(self, donation: Donation) -> None:
        self._db.execute(
            _INSERT_DONATION,
            {
                "donation_id": donation.donation_id,
                "redemption_id": donation.redemption_id,
                "member_id": donation.member_id,
                "cause": donation.cause,
                "amount_minor": donation.amount_minor,
                "currency": donation.currency,
                "points": donation.points,
                "created_at": donation.created_at,
            },
        )

    def donations(self, member_id: str) -> list[Donation]:
        rows = self._db.execute(_DONATIONS_OF, {"donations_member_id": member_id})
        return [
            Donation(
                row.donation_id,
                row.redemption_id,
                row.member_id,
                row.cause,
                int(row.amount_minor),
                row.currency,
                int(row.points),
                row.created_at,
            )
            for row in rows
        ]

    def cause_totals(self, cause: str | None = None) -> list[CauseTotal]:
        if cause is None:
            rows = self._db.execute(_CAUSE_TOTALS)
        else:
            rows = self._db.execute(_CAUSE_TOTAL, {"total_cause": cause})
        return [
            CauseTotal(
                row.cause,
                row.currency,
                int(row.amount_minor),
                int(row.points),
                int(row.donations),
                int(row.donors),
            )
            for row in rows
        ]

    def _ensure(self, statements: dict[str, Any]) -> Any:
        return statements[self._db.dialect.name]


def _redemption_values(r: Redemption) -> dict[str, Any]:
    return {
        "redemption_id": r.redemption_id,
        "member_id": r.member_id,
        "reward_id": r.reward_id,
        "points": r.points,
        "benefit": r.benefit,
        "delivery": r.delivery.value,
        "programme_version": r.programme_version,
        "channel": r.channel,
        "status": r.status.value,
        "created_at": r.created_at,
        "entry_id": r.entry_id,
        "member_bucket": r.member_bucket,
        "total_bucket": r.total_bucket,
        "took_stock": r.took_stock,
        "coupon_id": r.coupon_id,
        "coupon_code": r.coupon_code,
        "coupon_valid_until": r.coupon_valid_until,
        "donation_id": r.donation_id,
        "wallet_entry_id": r.wallet_entry_id,
        "cancelled_at": r.cancelled_at,
        "cancel_entry_id": r.cancel_entry_id,
    }


def _redemption(row: Row[Any]) -> Redemption:
    return Redemption(
        redemption_id=row.redemption_id,
        member_id=row.member_id,
        reward_id=row.reward_id,
        points=int(row.points),
        benefit=dict(row.benefit),
        delivery=Delivery(row.delivery),
        programme_version=row.programme_version,
        channel=row.channel,
        status=RedemptionStatus(row.status),
        created_at=row.created_at,
        entry_id=row.entry_id,
        member_bucket=row.member_bucket,
        total_bucket=row.total_bucket,
        took_stock=bool(row.took_stock),
        coupon_id=row.coupon_id,
        coupon_code=row.coupon_code,
        coupon_valid_until=row.coupon_valid_until,
        donation_id=row.donation_id,
        wallet_entry_id=row.wallet_entry_id,
        cancelled_at=row.cancelled_at,
        cancel_entry_id=row.cancel_entry_id,
    )
