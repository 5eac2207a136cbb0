"""Purchases, their lines and returns in SQL."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import (
    PurchaseDiscountRow,
    PurchaseLinePointsRow,
    PurchaseLineRow,
    PurchaseLineStampsRow,
    PurchaseReturnRow,
    PurchaseRow,
)
from loyalo.domain.errors import ReceiptConflict
from loyalo.domain.purchases.basket import Line
from loyalo.domain.purchases.purchase import (
    AppliedDiscount,
    LinePoints,
    LineStamps,
    Purchase,
    ReturnRecord,
)

_PURCHASES = cast(Table, PurchaseRow.__table__)


def _insert_purchase(module: Any) -> Any:
    """INSERT ... ON CONFLICT (store_id, receipt_id) DO NOTHING RETURNING purchase_id."""
    return (
        module.insert(_PURCHASES)
        .on_conflict_do_nothing(index_elements=[_PURCHASES.c.store_id, _PURCHASES.c.receipt_id])
        .returning(_PURCHASES.c.purchase_id)
    )


# Built once: the purchase write path runs these on every sale.
_INSERT_PURCHASE = {"postgresql": _insert_purchase(postgresql), "sqlite": _insert_purchase(sqlite)}
_INSERT_LINES = insert(cast(Table, PurchaseLineRow.__table__))
_INSERT_DISCOUNTS = insert(cast(Table, PurchaseDiscountRow.__table__))
_INSERT_LINE_POINTS = insert(cast(Table, PurchaseLinePointsRow.__table__))
_INSERT_LINE_STAMPS = insert(cast(Table, PurchaseLineStampsRow.__table__))
_BY_RECEIPT = (
    select(PurchaseRow)
    .where(PurchaseRow.store_id == bindparam("receipt_store_id"))
    .where(PurchaseRow.receipt_id == bindparam("receipt_receipt_id"))
)


class SqlPurchaseRepository(SqlRepository):
    def add(self, purchase: Purchase) -> None:
        dialect = self._session.get_bind().dialect.name
        inserted = self._db.execute(
            _INSERT_PURCHASE.get(dialect, _INSERT_PURCHASE["sqlite"]),
            {
                "purchase_id": purchase.purchase_id,
                "member_id": purchase.member_id,
                "store_id": purchase.store_id,
                "receipt_id": purchase.receipt_id,
                "channel": purchase.channel,
                "occurred_at": purchase.occurred_at,
                "currency": purchase.currency,
                "total_minor": purchase.total_minor,
                "points_earned": purchase.points_earned,
                "fingerprint": purchase.fingerprint,
                "entry_id": purchase.entry_id,
                "programme_version": purchase.programme_version,
                "discount_minor": purchase.discount_minor,
            },
        ).first()
        if inserted is None:
            # Only a receipt id resent for another member races past the member lock.
            raise ReceiptConflict(
                f"receipt {purchase.receipt_id} at store {purchase.store_id} is already recorded"
            )
        self._db.execute(
            _INSERT_LINES,
            [
                {
                    "purchase_id": purchase.purchase_id,
                    "line_no": index,
                    "sku": line.sku,
                    "name": line.name,
                    "category": line.category,
                    "quantity": line.quantity,
                    "unit_price_minor": line.unit_price_minor,
                    "discount_minor": line.discount_minor,
                    "labels": list(line.labels) or None,
                    "delivery": line.delivery,
                }
                for index, line in enumerate(purchase.lines)
            ],
        )
        self._add_attribution(purchase)

    def _add_attribution(self, purchase: Purchase) -> None:
        if purchase.discounts:
            self._db.execute(
                _INSERT_DISCOUNTS,
                [
                    {
                        "purchase_id": purchase.purchase_id,
                        "position": position,
                        "rule_id": d.rule_id,
                        "source": d.source,
                        "amount_minor": d.amount_minor,
                        "description": d.description[:300],
                    }
                    for position, d in enumerate(purchase.discounts)
                ],
            )
        if purchase.line_points:
            self._db.execute(
                _INSERT_LINE_POINTS,
                [
                    {
                        "purchase_id": purchase.purchase_id,
                        "line_no": p.line_index,
                        "rule_id": p.rule_id,
                        "points": p.points,
                    }
                    for p in purchase.line_points
                ],
            )
        if purchase.line_stamps:
            self._db.execute(
                _INSERT_LINE_STAMPS,
                [
                    {
                        "purchase_id": purchase.purchase_id,
                        "line_no": s.line_index,
                        "rule_id": s.rule_id,
                        "card": s.card,
                        "stamps": s.stamps,
                    }
                    for s in purchase.line_stamps
                ],
            )

    def get(self, purchase_id: str) -> Purchase | None:
        row = self._session.get(PurchaseRow, purchase_id)
        return self._to_purchase(row) if row else None

    def by_receipt(self, store_id: str, receipt_id: str) -> Purchase | None:
        row = self._session.scalars(
            _BY_RECEIPT, {"receipt_store_id": store_id, "receipt_receipt_id": receipt_id}
        ).first()
        return self._to_purchase(row) if row else None

    def _to_purchase(self, row: PurchaseRow) -> Purchase:
        lines = tuple(
            Line(
                sku=line.sku,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
                discount_minor=line.discount_minor,
                name=line.name,
                category=line.category,
                labels=tuple(line.labels or ()),
                delivery=line.delivery,
            )
            for line in self._session.scalars(
                select(PurchaseLineRow)
                .where(PurchaseLineRow.purchase_id == row.purchase_id)
                .order_by(PurchaseLineRow.line_no)
            )
        )
        return Purchase(
            purchase_id=row.purchase_id,
            member_id=row.member_id,
            store_id=row.store_id,
            receipt_id=row.receipt_id,
            channel=row.channel,
            occurred_at=row.occurred_at,
            currency=row.currency,
            total_minor=row.total_minor,
            lines=lines,
            points_earned=row.points_earned,
            fingerprint=row.fingerprint,
            entry_id=row.entry_id,
            programme_version=row.programme_version,
            discount_minor=row.discount_minor,
            discounts=self._discounts(row.purchase_id),
            line_points=self._line_points(row.purchase_id),
            line_stamps=self._line_stamps(row.purchase_id),
        )

    def _discounts(self, purchase_id: str) -> tuple[AppliedDiscount, ...]:
        rows = self._session.scalars(
            select(PurchaseDiscountRow)
            .where(PurchaseDiscountRow.purchase_id == purchase_id)
            .order_by(PurchaseDiscountRow.position)
        )
        return tuple(
            AppliedDiscount(r.rule_id, r.source, r.amount_minor, r.description) for r in rows
        )

    def _line_points(self, purchase_id: str) -> tuple[LinePoints, ...]:
        rows = self._session.scalars(
            select(PurchaseLinePointsRow)
            .where(PurchaseLinePointsRow.purchase_id == purchase_id)
            .order_by(PurchaseLinePointsRow.line_no, PurchaseLinePointsRow.rule_id)
        )
        return tuple(LinePoints(r.line_no, r.rule_id, r.points) for r in rows)

    def _line_stamps(self, purchase_id: str) -> tuple[LineStamps, ...]:
        rows = self._session.scalars(
            select(PurchaseLineStampsRow)
            .where(PurchaseLineStampsRow.purchase_id == purchase_id)
            .order_by(PurchaseLineStampsRow.line_no, PurchaseLineStampsRow.rule_id)
        )
        return tuple(LineStamps(r.line_no, r.rule_id, r.card, r.stamps) for r in rows)

    def returns(self, purchase_id: str) -> list[ReturnRecord]:
        rows = self._session.scalars(
            select(PurchaseReturnRow)
            .where(PurchaseReturnRow.purchase_id == purchase_id)
            .order_by(PurchaseReturnRow.occurred_at, PurchaseReturnRow.return_id)
        )
        return [
            ReturnRecord(
                return_id=r.return_id,
                purchase_id=r.purchase_id,
                occurred_at=r.occurred_at,
                value_minor=r.value_minor,
                points_taken=r.points_taken,
                debt_points=r.debt_points,
                line_quantities={int(k): int(v) for k, v in r.line_quantities.items()},
                entry_id=r.entry_id,
            )
            for r in rows
        ]

    def add_return(self, record: ReturnRecord) -> None:
        self._db.execute(
            insert(PurchaseReturnRow).values(
                return_id=record.return_id,
                purchase_id=record.purchase_id,
                occurred_at=record.occurred_at,
                value_minor=record.value_minor,
                points_taken=record.points_taken,
                debt_points=record.debt_points,
                line_quantities={str(k): v for k, v in record.line_quantities.items()},
                entry_id=record.entry_id,
            )
        )
