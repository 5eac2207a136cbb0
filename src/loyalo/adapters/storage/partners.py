"""Partners, their rates and their transactions in SQL; settlement read from the ledger."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import JournalEntryRow, PostingRow, PurchaseReturnRow
from loyalo.adapters.storage.tables_partners import (
    PartnerRateRow,
    PartnerRow,
    PartnerTransactionRow,
)
from loyalo.application.partners.ports import PartnerTransaction, TransactionKind
from loyalo.domain.errors import PartnerExists
from loyalo.domain.ledger.accounts import AccountKind
from loyalo.domain.ledger.journal import EntryKind
from loyalo.domain.partners.partner import Partner, PartnerStatus, RateChange, Rates
from loyalo.domain.partners.settlement import Movement, SettlementItem

_PARTNERS = cast(Table, PartnerRow.__table__)
_RATES = cast(Table, PartnerRateRow.__table__)
_TX = cast(Table, PartnerTransactionRow.__table__)
_ENTRIES = cast(Table, JournalEntryRow.__table__)
_POSTINGS = cast(Table, PostingRow.__table__)
_RETURNS = cast(Table, PurchaseReturnRow.__table__)

_PARTNER_COLUMNS = (
    _PARTNERS.c.partner_id,
    _PARTNERS.c.name,
    _PARTNERS.c.status,
    _PARTNERS.c.currency,
    _PARTNERS.c.created_at,
    _PARTNERS.c.updated_at,
)
_GET = select(*_PARTNER_COLUMNS).where(_PARTNERS.c.partner_id == bindparam("get_partner_id"))
_RATES_OF = (
    select(
        _RATES.c.effective_from,
        _RATES.c.earn_points_per_unit,
        _RATES.c.issue_price,
        _RATES.c.redeem_price,
    )
    .where(_RATES.c.partner_id == bindparam("rates_partner_id"))
    .order_by(_RATES.c.effective_from)
)
_FIND = (
    select(_TX)
    .where(_TX.c.partner_id == bindparam("find_partner_id"))
    .where(_TX.c.kind == bindparam("find_kind"))
    .where(_TX.c.source_id == bindparam("find_source_id"))
)
_INSERT_TX = insert(_TX)
_PERIOD_START = bindparam("period_start", type_=_ENTRIES.c.recorded_at.type)
_PERIOD_END = bindparam("period_end", type_=_ENTRIES.c.recorded_at.type)
_SALE = _TX.alias("sale")


def _ledger_points(kind: EntryKind, account: AccountKind) -> Any:
    """The postings of one entry kind on one system account, within the period."""
    return and_(
        _POSTINGS.c.entry_id == _ENTRIES.c.entry_id,
        _ENTRIES.c.kind == kind.value,
        _POSTINGS.c.account == account.value,
        _ENTRIES.c.recorded_at >= _PERIOD_START,
        _ENTRIES.c.recorded_at < _PERIOD_END,
    )


# Points issued by the partner's sales: the earn entries of its purchases.
_ISSUED = (
    select(-_POSTINGS.c.points, _ENTRIES.c.recorded_at)
    .select_from(_SALE)
    .join(
        _ENTRIES,
        and_(_ENTRIES.c.source_type == "purchase", _ENTRIES.c.source_id == _SALE.c.source_id),
    )
    .join(_POSTINGS, _ledger_points(EntryKind.EARN, AccountKind.ISSUANCE))
    .where(_SALE.c.partner_id == bindparam("items_partner_id"))
    .where(_SALE.c.kind == TransactionKind.PURCHASE.value)
)
# Taken back by returns of those purchases, whoever recorded the return; priced
# at the sale's time, the price the points were issued at.
_TAKEN_BACK = (
    select(_POSTINGS.c.points, _SALE.c.recorded_at)
    .select_from(_SALE)
    .join(_RETURNS, _RETURNS.c.purchase_id == _SALE.c.source_id)
    .join(
        _ENTRIES,
        and_(_ENTRIES.c.source_type == "return", _ENTRIES.c.source_id == _RETURNS.c.return_id),
    )
    .join(_POSTINGS, _ledger_points(EntryKind.RETURN, AccountKind.ISSUANCE))
    .where(_SALE.c.partner_id == bindparam("items_partner_id"))
    .where(_SALE.c.kind == TransactionKind.PURCHASE.value)
)
# Redeemed at its tills: commits of the holds its tills made, whoever committed them.
_REDEEMED = (
    select(_POSTINGS.c.points, _ENTRIES.c.recorded_at)
    .select_from(_SALE)
    .join(
        _ENTRIES,
        and_(_ENTRIES.c.source_type == "reservation", _ENTRIES.c.source_id == _SALE.c.source_id),
    )
    .join(_POSTINGS, _ledger_points(EntryKind.COMMIT, AccountKind.REDEMPTION))
    .where(_SALE.c.partner_id == bindparam("items_partner_id"))
    .where(_SALE.c.kind == TransactionKind.HOLD.value)
)


def _partner(row: Any) -> Partner:
    return Partner(
        row.partner_id,
        row.name,
        PartnerStatus(row.status),
        row.currency,
        row.created_at,
        row.updated_at,
    )


def _transaction(row: Any) -> PartnerTransaction:
    return PartnerTransaction(
        transaction_id=row.transaction_id,
        partner_id=row.partner_id,
        kind=TransactionKind(row.kind),
        source_id=row.source_id,
        member_id=row.member_id,
        store_id=row.store_id,
        receipt_id=row.receipt_id,
        purchase_id=row.purchase_id,
        points=int(row.points),
        amount_minor=None if row.amount_minor is None else int(row.amount_minor),
        currency=row.currency,
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        seq=int(row.seq),
    )


class SqlPartnerRepository(SqlRepository):
    def add(self, partner: Partner) -> None:
        try:
            with self._session.begin_nested():
                self._db.execute(insert(_PARTNERS).values(**self._values(partner)))
        except IntegrityError as exc:
            raise PartnerExists(
                f"partner {partner.partner_id} exists", partner_id=partner.partner_id
            ) from exc

    def get(self, partner_id: str) -> Partner | None:
        row = self._db.execute(_GET, {"get_partner_id": partner_id}).first()
        return None if row is None else _partner(row)

    def all(self) -> list[Partner]:
        rows = self._db.execute(select(*_PARTNER_COLUMNS).order_by(_PARTNERS.c.partner_id))
        return [_partner(row) for row in rows]

    def update(self, partner: Partner) -> None:
        values = self._values(partner)
        del values["partner_id"], values["created_at"]
        self._db.execute(
            update(_PARTNERS).where(_PARTNERS.c.partner_id == partner.partner_id).values(**values)
        )

    def rates(self, partner_id: str) -> list[RateChange]:
        rows = self._db.execute(_RATES_OF, {"rates_partner_id": partner_id})
        return [
            RateChange(
                row.effective_from,
                Rates(
                    Decimal(row.earn_points_per_unit),
                    Decimal(row.issue_price),
                    Decimal(row.redeem_price),
                ),
            )
            for row in rows
        ]

    def put_rates(self, partner_id: str, change: RateChange, recorded_at: datetime) -> None:
        self._db.execute(
            delete(_RATES)
            .where(_RATES.c.partner_id == partner_id)
            .where(_RATES.c.effective_from == change.effective_from)
        )
        rates = change.rates
        self._db.execute(
            insert(_RATES).values(
                partner_id=partner_id,
                effective_from=change.effective_from,
                earn_points_per_unit=str(rates.earn_points_per_unit),
                issue_price=str(rates.issue_price),
                redeem_price=str(rates.redeem_price),
                recorded_at=recorded_at,
            )
        )

    def add_transaction(self, transaction: PartnerTransaction) -> None:
        self._db.execute(
            _INSERT_TX,
            {
                "transaction_id": transaction.transaction_id,
                "partner_id": transaction.partner_id,
                "kind": transaction.kind.value,
                "source_id": transaction.source_id,
                "member_id": transaction.member_id,
                "store_id": transaction.store_id,
                "receipt_id": transaction.receipt_id,
                "purchase_id": transaction.purchase_id,
                "points": transaction.points,
                "amount_minor": transaction.amount_minor,
                "currency": transaction.currency,
                "occurred_at": transaction.occurred_at,
                "recorded_at": transaction.recorded_at,
            },
        )

    def find(
        self, partner_id: str, kind: TransactionKind, source_id: str
    ) -> PartnerTransaction | None:
        row = self._db.execute(
            _FIND,
            {"find_partner_id": partner_id, "find_kind": kind.value, "find_source_id": source_id},
        ).first()
        return None if row is None else _transaction(row)

    def transactions(
        self,
        partner_id: str,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        after_seq: int | None,
    ) -> list[PartnerTransaction]:
        statement = select(_TX).where(_TX.c.partner_id == partner_id)
        if start is not None:
            statement = statement.where(_TX.c.recorded_at >= start)
        if end is not None:
            statement = statement.where(_TX.c.recorded_at < end)
        if after_seq is not None:
            statement = statement.where(_TX.c.seq > after_seq)
        rows = self._db.execute(statement.order_by(_TX.c.seq).limit(limit))
        return [_transaction(row) for row in rows]

    def settlement_items(
        self, partner_id: str, start: datetime, end: datetime
    ) -> list[SettlementItem]:
        params = {"items_partner_id": partner_id, "period_start": start, "period_end": end}
        items: list[SettlementItem] = []
        for movement, statement in (
            (Movement.ISSUED, _ISSUED),
            (Movement.TAKEN_BACK, _TAKEN_BACK),
            (Movement.REDEEMED, _REDEEMED),
        ):
            for points, priced_at in self._db.execute(statement, params):
                items.append(SettlementItem(movement, int(points), priced_at))
        return items

    @staticmethod
    def _values(partner: Partner) -> dict[str, Any]:
        return {
            "partner_id": partner.partner_id,
            "name": partner.name,
            "status": partner.status.value,
            "currency": partner.currency,
            "created_at": partner.created_at,
            "updated_at": partner.updated_at,
        }
