"""Each purchase's value net of returns, for the CLV models: one aggregate query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

from sqlalchemy import Table, func, select

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import PurchaseReturnRow, PurchaseRow
from loyalo.application.analytics.clv_ports import PurchaseValue
from loyalo.domain.purchases.returns import share_floor

_PURCHASES = cast(Table, PurchaseRow.__table__)
_RETURNS = cast(Table, PurchaseReturnRow.__table__)

_RETURNED = (
    select(_RETURNS.c.purchase_id, func.sum(_RETURNS.c.value_minor).label("returned_minor"))
    .group_by(_RETURNS.c.purchase_id)
    .subquery()
)
_VALUES = (
    select(
        _PURCHASES.c.member_id,
        _PURCHASES.c.occurred_at,
        _PURCHASES.c.total_minor,
        _PURCHASES.c.discount_minor,
        func.coalesce(_RETURNED.c.returned_minor, 0).label("returned_minor"),
    )
    .select_from(
        _PURCHASES.outerjoin(_RETURNED, _RETURNED.c.purchase_id == _PURCHASES.c.purchase_id)
    )
    .order_by(_PURCHASES.c.member_id, _PURCHASES.c.occurred_at)
)


class SqlClvPurchaseSource(SqlRepository):
    def purchase_values(self) -> Iterator[PurchaseValue]:
        """What was paid (total less discounts) less the paid share of the value returned,
        floored as the return itself computes it."""
        for row in self._db.execute(_VALUES):
            paid = row.total_minor - row.discount_minor
            amount = paid - share_floor(paid, int(row.returned_minor), row.total_minor)
            if amount > 0:
                yield PurchaseValue(row.member_id, row.occurred_at, amount)
