"""Till holds in SQL; resolution is a conditional update, so it happens once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import ReservationRow
from loyalo.domain.reservations.holds import Hold, HoldStatus

# Built once: every write for a member first looks for its expired holds.
_OPEN_EXPIRED_FOR = (
    select(ReservationRow)
    .where(ReservationRow.member_id == bindparam("expired_member_id"))
    .where(ReservationRow.status == HoldStatus.OPEN.value)
    .where(
        ReservationRow.expires_at
        <= bindparam("expired_now", type_=ReservationRow.__table__.c.expires_at.type)
    )
    .order_by(ReservationRow.expires_at, ReservationRow.hold_id)
)


def _to_hold(row: ReservationRow) -> Hold:
    return Hold(
        row.hold_id,
        row.member_id,
        row.points,
        HoldStatus(row.status),
        row.expires_at,
        row.committed_points,
    )


class SqlReservationRepository(SqlRepository):
    def add(self, hold: Hold, details: dict[str, Any]) -> None:
        self._db.execute(
            insert(ReservationRow).values(
                hold_id=hold.hold_id,
                member_id=hold.member_id,
                points=hold.points,
                status=hold.status.value,
                expires_at=hold.expires_at,
                created_at=details["created_at"],
                store_id=details.get("store_id"),
                channel=details.get("channel"),
                reference=details.get("reference"),
            )
        )

    def get(self, hold_id: str) -> Hold | None:
        row = self._session.scalars(
            select(ReservationRow)
            .where(ReservationRow.hold_id == hold_id)
            .execution_options(populate_existing=True)
        ).first()
        return _to_hold(row) if row else None

    def resolve(
        self, hold_id: str, status: HoldStatus, committed_points: int | None, at: datetime
    ) -> bool:
        result = self._db.execute(
            update(ReservationRow)
            .where(ReservationRow.hold_id == hold_id)
            .where(ReservationRow.status == HoldStatus.OPEN.value)
            .values(status=status.value, committed_points=committed_points, resolved_at=at)
        )
        return bool(result.rowcount == 1)

    def open_expired(self, now: datetime, limit: int) -> list[Hold]:
        rows = self._session.scalars(
            select(ReservationRow)
            .where(ReservationRow.status == HoldStatus.OPEN.value)
            .where(ReservationRow.expires_at <= now)
            .order_by(ReservationRow.expires_at)
            .limit(limit)
        )
        return [_to_hold(row) for row in rows]

    def open_expired_for(self, member_id: str, now: datetime) -> list[Hold]:
        rows = self._session.scalars(
            _OPEN_EXPIRED_FOR, {"expired_member_id": member_id, "expired_now": now}
        )
        return [_to_hold(row) for row in rows]
