"""Coupons in SQL: Core statements built once, rows read as plain columns.

A use is claimed with one conditional UPDATE (``uses = uses + 1`` where the
coupon is not cancelled and has uses left): on PostgreSQL a second writer waits
on the row and then finds the condition false, on SQLite writers are serialised;
the CHECK on ``uses`` and the unique indexes on ``coupon_uses`` refuse a double
use even if this code were wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import PurchaseRow
from loyalo.adapters.storage.tables_coupons import CouponBatchRow, CouponRow, CouponUseRow
from loyalo.domain.coupons.benefits import benefit_document, benefit_of
from loyalo.domain.coupons.coupon import (
    Coupon,
    CouponBatch,
    CouponKind,
    CouponUse,
    status_of,
)
from loyalo.domain.coupons.validation import TillCoupon

_COUPONS = cast(Table, CouponRow.__table__)
_USES = cast(Table, CouponUseRow.__table__)
_BATCHES = cast(Table, CouponBatchRow.__table__)
_IN_CHUNK = 500  # codes per IN (...) lookup

_INSERT = insert(_COUPONS)
_GET = select(_COUPONS).where(_COUPONS.c.coupon_id == bindparam("get_id"))
_BY_CODE = select(_COUPONS).where(_COUPONS.c.code == bindparam("by_code"))
_BY_CODES = select(_COUPONS).where(_COUPONS.c.code.in_(bindparam("by_codes", expanding=True)))
_TAKEN = select(_COUPONS.c.code).where(_COUPONS.c.code.in_(bindparam("codes", expanding=True)))
_OF_MEMBER = (
    select(_COUPONS)
    .where(_COUPONS.c.member_id == bindparam("of_member_id"))
    .order_by(_COUPONS.c.created_at.desc(), _COUPONS.c.code)
    .limit(bindparam("of_member_limit"))
)
_OF_MEMBER_AFTER = _OF_MEMBER.where(
    or_(
        _COUPONS.c.created_at < bindparam("cursor_at"),
        and_(
            _COUPONS.c.created_at == bindparam("cursor_at"),
            _COUPONS.c.code > bindparam("cursor_code"),
        ),
    )
)
_ISSUED_BY = (
    select(_COUPONS)
    .where(_COUPONS.c.source_type == bindparam("issued_type"))
    .where(_COUPONS.c.source_id == bindparam("issued_id"))
    .order_by(_COUPONS.c.created_at, _COUPONS.c.code)
)
_HAS_USES_LEFT = or_(_COUPONS.c.max_uses.is_(None), _COUPONS.c.uses < _COUPONS.c.max_uses)
_CANCEL = (
    update(_COUPONS)
    .where(_COUPONS.c.coupon_id == bindparam("cancel_id"))
    .where(_COUPONS.c.cancelled_at.is_(None))
    .where(_HAS_USES_LEFT)
    .values(cancelled_at=bindparam("cancel_at"))
)
_CANCEL_UNUSED = _CANCEL.where(_COUPONS.c.uses == 0)
_CLAIM = (
    update(_COUPONS)
    .where(_COUPONS.c.coupon_id == bindparam("claim_id"))
    .where(_COUPONS.c.cancelled_at.is_(None))
    .where(_HAS_USES_LEFT)
    .values(uses=_COUPONS.c.uses + 1)
)
_GIVE_BACK = (
    update(_COUPONS)
    .where(_COUPONS.c.coupon_id == bindparam("give_back_id"))
    .where(_COUPONS.c.uses > 0)
    .values(uses=_COUPONS.c.uses - 1)
)
_INSERT_USE = insert(_USES)
_MEMBER_USES = select(func.count()).where(
    and_(
        _USES.c.coupon_id == bindparam("member_uses_coupon"),
        _USES.c.member_id == bindparam("member_uses_member"),
        _USES.c.undone_at.is_(None),
    )
)
_USES_OF_PURCHASE = (
    select(_USES)
    .where(_USES.c.purchase_id == bindparam("uses_purchase_id"))
    .order_by(_USES.c.used_at, _USES.c.use_id)
)
_UNDO_USE = (
    update(_USES)
    .where(_USES.c.use_id == bindparam("undo_id"))
    .where(_USES.c.undone_at.is_(None))
    .values(undone_at=bindparam("undo_at"))
)
_PURCHASES = cast(Table, PurchaseRow.__table__)
# Every use a purchase made, undone by a return or not: the sale was made with the code.
_USED_BY_PURCHASES = (
    select(
        _USES.c.purchase_id,
        _COUPONS.c.code,
        _COUPONS.c.coupon_id,
        _COUPONS.c.benefit,
        _COUPONS.c.combinable,
        _USES.c.position,
    )
    .join(_COUPONS, _COUPONS.c.coupon_id == _USES.c.coupon_id)
    .join(_PURCHASES, _PURCHASES.c.purchase_id == _USES.c.purchase_id)
    .where(_PURCHASES.c.occurred_at < bindparam("used_until"))
    .order_by(_USES.c.purchase_id, _USES.c.position)
)
_INSERT_BATCH = insert(_BATCHES)
_BATCH = select(_BATCHES).where(_BATCHES.c.batch_id == bindparam("batch_id"))


class SqlCouponRepository(SqlRepository):
    def add(self, coupons: Sequence[Coupon]) -> None:
        if not coupons:
            return
        documents: dict[int, dict[str, Any]] = {}  # a batch shares one benefit: dump it once
        rows = []
        for coupon in coupons:
            key = id(coupon.benefit)
            if key not in documents:
                documents[key] = benefit_document(coupon.benefit)
            rows.append(_row_of(coupon, documents[key]))
        self._db.execute(_INSERT, rows)

    def taken(self, codes: Collection[str]) -> set[str]:
        wanted = list(codes)
        found: set[str] = set()
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            found.update(self._db.execute(_TAKEN, {"codes": chunk}).scalars())
        return found

    def get(self, coupon_id: str) -> Coupon | None:
        row = self._db.execute(_GET, {"get_id": coupon_id}).first()
        return _coupon(row) if row else None

    def by_code(self, code: str) -> Coupon | None:
        row = self._db.execute(_BY_CODE, {"by_code": code}).first()
        return _coupon(row) if row else None

    def by_codes(self, codes: Collection[str]) -> dict[str, Coupon]:
        if not codes:
            return {}
        rows = self._db.execute(_BY_CODES, {"by_codes": list(codes)})
        return {row.code: _coupon(row) for row in rows}

    def of_member(self, member_id: str, limit: int, after: str | None) -> list[Coupon]:
        params: dict[str, Any] = {"of_member_id": member_id, "of_member_limit": limit}
        statement = _OF_MEMBER
        cursor = self.by_code(after) if after is not None else None
        if cursor is not None:
            statement = _OF_MEMBER_AFTER
            params.update(cursor_at=cursor.created_at, cursor_code=cursor.code)
        return [_coupon(row) for row in self._db.execute(statement, params)]

    def issued_by(self, source_type: str, source_id: str) -> list[Coupon]:
        params = {"issued_type": source_type, "issued_id": source_id}
        return [_coupon(row) for row in self._db.execute(_ISSUED_BY, params)]

    def cancel(self, coupon_id: str, at: datetime, *, only_unused: bool) -> bool:
        statement = _CANCEL_UNUSED if only_unused else _CANCEL
        result = self._db.execute(statement, {"cancel_id": coupon_id, "cancel_at": at})
        return result.rowcount == 1

    def claim_use(self, coupon_id: str) -> bool:
        return self._db.execute(_CLAIM, {"claim_id": coupon_id}).rowcount == 1

    def add_use(self, use: CouponUse, *, single_use: bool) -> None:
        self._db.execute(
            _INSERT_USE,
            {
                "use_id": use.use_id,
                "coupon_id": use.coupon_id,
                "purchase_id": use.purchase_id,
                "member_id": use.member_id,
                "single_use": single_use,
                "discount_minor": use.discount_minor,
                "position": use.position,
                "used_at": use.used_at,
                "undone_at": use.undone_at,
            },
        )

    def member_uses(self, coupon_id: str, member_id: str) -> int:
        params = {"member_uses_coupon": coupon_id, "member_uses_member": member_id}
        return int(self._db.execute(_MEMBER_USES, params).scalar_one())

    def uses_of_purchase(self, purchase_id: str) -> list[CouponUse]:
        rows = self._db.execute(_USES_OF_PURCHASE, {"uses_purchase_id": purchase_id})
        return [
            CouponUse(
                r.use_id,
                r.coupon_id,
                r.purchase_id,
                r.member_id,
                int(r.discount_minor),
                r.used_at,
                r.undone_at,
                r.position,
            )
            for r in rows
        ]

    def undo_use(self, use: CouponUse, at: datetime) -> bool:
        if self._db.execute(_UNDO_USE, {"undo_id": use.use_id, "undo_at": at}).rowcount != 1:
            return False
        self._db.execute(_GIVE_BACK, {"give_back_id": use.coupon_id})
        return True

    def add_batch(self, batch: CouponBatch) -> None:
        self._db.execute(
            _INSERT_BATCH,
            {
                "batch_id": batch.batch_id,
                "name": batch.name,
                "kind": batch.kind.value,
                "pattern": batch.pattern,
                "count": batch.count,
                "benefit": benefit_document(batch.benefit),
                "valid_from": batch.valid_from,
                "valid_until": batch.valid_until,
                "max_uses": batch.max_uses,
                "per_member_limit": batch.per_member_limit,
                "combinable": batch.combinable,
                "created_at": batch.created_at,
            },
        )

    def batch(self, batch_id: str) -> CouponBatch | None:
        row = self._db.execute(_BATCH, {"batch_id": batch_id}).first()
        if row is None:
            return None
        return CouponBatch(
            row.batch_id,
            row.name,
            CouponKind(row.kind),
            row.pattern,
            int(row._mapping["count"]),  # ``row.count`` is the tuple's method
            benefit_of(row.benefit),
            row.valid_from,
            row.valid_until,
            row.max_uses,
            row.per_member_limit,
            bool(row.combinable),
            row.created_at,
        )


def _row_of(coupon: Coupon, benefit: dict[str, Any]) -> dict[str, Any]:
    return {
        "coupon_id": coupon.coupon_id,
        "code": coupon.code,
        "kind": coupon.kind.value,
        "benefit": benefit,
        "member_id": coupon.member_id,
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "max_uses": coupon.max_uses,
        "per_member_limit": coupon.per_member_limit,
        "uses": coupon.uses,
        "combinable": coupon.combinable,
        "cancelled_at": coupon.cancelled_at,
        "source_type": coupon.source_type,
        "source_id": coupon.source_id,
        "batch_id": coupon.batch_id,
        "created_at": coupon.created_at,
    }


def _coupon(row: Any) -> Coupon:
    uses = int(row.uses)
    return Coupon(
        coupon_id=row.coupon_id,
        code=row.code,
        kind=CouponKind(row.kind),
        benefit=benefit_of(row.benefit),
        member_id=row.member_id,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        max_uses=row.max_uses,
        uses=uses,
        status=status_of(uses, row.max_uses, row.cancelled_at is not None),
        source_type=row.source_type,
        source_id=row.source_id,
        batch_id=row.batch_id,
        created_at=row.created_at,
        per_member_limit=row.per_member_limit,
        combinable=bool(row.combinable),
        cancelled_at=row.cancelled_at,
    )


def coupons_by_purchase(
    connection: Connection, until: datetime
) -> dict[str, tuple[TillCoupon, ...]]:
    """The codes each purchase before ``until`` used, as the engine applies them (backtests)."""
    found: dict[str, list[TillCoupon]] = {}
    for row in connection.execute(_USED_BY_PURCHASES, {"used_until": until}):
        coupon = TillCoupon(
            row.code, row.coupon_id, benefit_of(row.benefit), bool(row.combinable), row.position
        )
        found.setdefault(row.purchase_id, []).append(coupon)
    return {purchase_id: tuple(coupons) for purchase_id, coupons in found.items()}
