"""What the partners use cases need from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from loyalo.domain.partners.partner import Partner, RateChange
from loyalo.domain.partners.settlement import SettlementItem


class TransactionKind(StrEnum):
    PURCHASE = "purchase"
    RETURN = "return"
    HOLD = "hold"
    COMMIT = "commit"
    RELEASE = "release"


@dataclass(frozen=True, slots=True)
class PartnerTransaction:
    """One write made under a partner's key, recorded with it in one transaction."""

    transaction_id: str
    partner_id: str
    kind: TransactionKind
    source_id: str  # the purchase, return or reservation id
    member_id: str
    store_id: str | None  # the partner's own store id
    receipt_id: str | None
    purchase_id: str | None  # for a return: the purchase it returns goods of
    points: int  # earned, taken back, held, committed or released
    amount_minor: int | None  # to pay, value returned, or value of the points redeemed
    currency: str
    occurred_at: datetime
    recorded_at: datetime
    seq: int | None = None  # the store's order, for paging; None before it is stored


class PartnerRepository(Protocol):
    def add(self, partner: Partner) -> None:
        """Raises PartnerExists when the id is taken."""
        ...

    def get(self, partner_id: str) -> Partner | None: ...
    def all(self) -> list[Partner]: ...
    def update(self, partner: Partner) -> None: ...
    def rates(self, partner_id: str) -> list[RateChange]: ...  # oldest first
    def put_rates(self, partner_id: str, change: RateChange, recorded_at: datetime) -> None:
        """Add the change, or replace the one that takes effect at the same instant."""
        ...

    def add_transaction(self, transaction: PartnerTransaction) -> None: ...
    def find(
        self, partner_id: str, kind: TransactionKind, source_id: str
    ) -> PartnerTransaction | None: ...
    def transactions(
        self,
        partner_id: str,
        start: datetime | None,
        end: datetime | None,
        limit: int,
        after_seq: int | None,
    ) -> list[PartnerTransaction]: ...
    def settlement_items(
        self, partner_id: str, start: datetime, end: datetime
    ) -> list[SettlementItem]:
        """From the ledger: the points of the partner's sales, of returns of them (by
        anyone) and of commits of its till holds, recorded in [start, end)."""
        ...
