"""What the history import stores besides purchases: runs, non-member sales, returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import (
    ImportedReturnRow,
    ImportRejectRow,
    ImportRunRow,
    NonMemberSaleRow,
    PurchaseLineRow,
    PurchaseReturnRow,
    PurchaseRow,
    UnmatchedReturnRow,
)
from loyalo.application.history.ports import ImportRun, UnmatchedReturn
from loyalo.domain.errors import ImportConflict
from loyalo.domain.history.matching import Returnable
from loyalo.domain.history.rows import HistoryLine


class SqlHistoryRepository(SqlRepository):
    def run_for(self, checksum: str) -> ImportRun | None:
        row = self._db.execute(
            select(*ImportRunRow.__table__.columns).where(ImportRunRow.checksum == checksum)
        ).first()
        if row is None:
            return None
        return ImportRun(
            run_id=row.run_id,
            source=row.source,
            checksum=row.checksum,
            started_at=row.started_at,
            options=dict(row.options),
            receipts_done=row.receipts_done,
            counts={str(k): int(v) for k, v in row.counts.items()},
            finished_at=row.finished_at,
        )

    def start_run(self, run: ImportRun) -> None:
        self._db.execute(
            insert(ImportRunRow).values(
                run_id=run.run_id,
                source=run.source[:300],
                checksum=run.checksum,
                options=run.options,
                started_at=run.started_at,
                updated_at=run.started_at,
                finished_at=None,
                receipts_done=0,
                counts={},
            )
        )

    def checkpoint(
        self,
        run_id: str,
        expected_done: int,
        receipts_done: int,
        counts: dict[str, int],
        at: datetime,
        finished: bool,
    ) -> None:
        moved = self._db.execute(
            update(ImportRunRow)
            .where(ImportRunRow.run_id == run_id)
            .where(ImportRunRow.receipts_done == expected_done)
            .where(ImportRunRow.finished_at.is_(None))
            .values(
                receipts_done=receipts_done,
                counts=counts,
                updated_at=at,
                finished_at=at if finished else None,
            )
        )
        if moved.rowcount != 1:
            raise ImportConflict(
                "another import of this file committed receipts meanwhile; run it again to resume"
            )

    def add_non_member_lines(
        self, run_id: str, store_id: str, currency: str, lines: Sequence[HistoryLine]
    ) -> None:
        if not lines:
            return
        self._db.execute(
            insert(NonMemberSaleRow),
            [
                {
                    "run_id": run_id,
                    "line_no": line.line_no,
                    "store_id": store_id,
                    "receipt_id": line.receipt_id,
                    "occurred_at": line.occurred_at,
                    "sku": line.sku,
                    "name": line.name,
                    "quantity": line.quantity,
                    "unit_price_minor": line.unit_price_minor,
                    "currency": currency,
                    "country": line.country,
                }
                for line in lines
            ],
        )

    def add_unmatched(self, run_id: str, rows: Sequence[UnmatchedReturn]) -> None:
        if not rows:
            return
        self._db.execute(
            insert(UnmatchedReturnRow),
            [
                {
                    "run_id": run_id,
                    "line_no": row.line_no,
                    "member_id": row.member_id,
                    "store_id": row.store_id,
                    "receipt_id": row.receipt_id,
                    "occurred_at": row.occurred_at,
                    "sku": row.sku,
                    "quantity": row.quantity,
                    "unit_price_minor": row.unit_price_minor,
                }
                for row in rows
            ],
        )

    def add_reject(self, run_id: str, line_no: int, receipt_id: str, reason: str) -> None:
        self._db.execute(
            insert(ImportRejectRow).values(
                run_id=run_id, line_no=line_no, receipt_id=receipt_id[:128], reason=reason[:500]
            )
        )

    def return_imported(self, store_id: str, receipt_id: str) -> bool:
        found = self._session.get(ImportedReturnRow, (store_id, receipt_id))
        return found is not None

    def add_imported_return(
        self,
        store_id: str,
        receipt_id: str,
        member_id: str,
        run_id: str,
        occurred_at: datetime,
        matched: int,
        unmatched: int,
    ) -> None:
        self._db.execute(
            insert(ImportedReturnRow).values(
                store_id=store_id,
                receipt_id=receipt_id,
                member_id=member_id,
                run_id=run_id,
                occurred_at=occurred_at,
                matched_units=matched,
                unmatched_units=unmatched,
            )
        )

    def returnable(self, member_id: str, sku: str, before: datetime) -> list[Returnable]:
        rows = self._db.execute(
            select(
                PurchaseRow.purchase_id,
                PurchaseRow.occurred_at,
                PurchaseRow.receipt_id,
                PurchaseLineRow.line_no,
                PurchaseLineRow.quantity,
            )
            .join(PurchaseLineRow, PurchaseLineRow.purchase_id == PurchaseRow.purchase_id)
            .where(PurchaseRow.member_id == member_id)
            .where(PurchaseLineRow.sku == sku)
            .where(PurchaseRow.occurred_at <= before)
        ).all()
        if not rows:
            return []
        returned = self._returned({row.purchase_id for row in rows})
        left: dict[str, int] = defaultdict(int)
        receipts: dict[str, tuple[datetime, str]] = {}
        for row in rows:
            left[row.purchase_id] += row.quantity - returned[row.purchase_id].get(row.line_no, 0)
            receipts[row.purchase_id] = (row.occurred_at, row.receipt_id)
        return [
            Returnable(pid, receipts[pid][0], quantity, receipts[pid][1])
            for pid, quantity in left.items()
            if quantity
        ]

    def _returned(self, purchase_ids: set[str]) -> dict[str, dict[int, int]]:
        totals: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        rows = self._db.execute(
            select(PurchaseReturnRow.purchase_id, PurchaseReturnRow.line_quantities).where(
                PurchaseReturnRow.purchase_id.in_(purchase_ids)
            )
        )
        for purchase_id, quantities in rows:
            lines: dict[str, Any] = quantities
            for index, quantity in lines.items():
                totals[purchase_id][int(index)] += int(quantity)
        return totals
