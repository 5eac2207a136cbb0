"""The ports the application needs from storage. Adapters implement them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from loyalo.domain.access.roles import Role
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.audit import LotTotals
from loyalo.domain.ledger.journal import JournalEntry
from loyalo.domain.ledger.lots import Lot, LotDraw
from loyalo.domain.ledger.stored import ChainHead, StoredEntry
from loyalo.domain.members.identifiers import MemberRef
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.purchase import Purchase, ReturnRecord
from loyalo.domain.reservations.holds import Hold, HoldStatus


class MemberRepository(Protocol):
    def add(self, member: Member) -> None: ...
    def update(self, member: Member) -> None: ...
    def get(self, member_id: str) -> Member | None: ...
    def find(self, ref: MemberRef) -> Member | None: ...
    def search(self, query: str | None, limit: int, after: str | None) -> list[Member]: ...
    def count(self) -> int: ...


class LedgerRepository(Protocol):
    def open_accounts(self, member_id: str) -> None: ...
    def lock(self, member_id: str) -> ChainHead: ...
    def balance(self, member_id: str) -> MemberBalance: ...
    def append(
        self, head: ChainHead, entry_id: str, entry: JournalEntry, at: datetime
    ) -> ChainHead: ...
    def add_lot(
        self,
        member_id: str,
        points: int,
        earned_at: datetime,
        available_at: datetime | None,
        source_id: str | None,
        entry_id: str,
    ) -> str: ...
    def lots(self, member_id: str, *, pending: bool) -> list[Lot]: ...
    def draw(self, draws: list[LotDraw]) -> None: ...
    def matured_lots(self, member_id: str, now: datetime) -> list[Lot]: ...
    def mark_available(self, lot_ids: list[str]) -> None: ...
    def history(self, member_id: str, limit: int, before_seq: int | None) -> list[StoredEntry]: ...


class LedgerAuditSource(Protocol):
    def member_ids(self) -> Iterator[str]: ...
    def entries(self, member_id: str) -> Iterator[StoredEntry]: ...
    def stored_balance(self, member_id: str) -> MemberBalance: ...
    def lot_totals(self, member_id: str) -> LotTotals: ...
    def members_with_matured_lots(self, now: datetime, limit: int) -> list[str]: ...


class PurchaseRepository(Protocol):
    def add(self, purchase: Purchase) -> None: ...
    def get(self, purchase_id: str) -> Purchase | None: ...
    def by_receipt(self, store_id: str, receipt_id: str) -> Purchase | None: ...
    def returns(self, purchase_id: str) -> list[ReturnRecord]: ...
    def add_return(self, record: ReturnRecord) -> None: ...


class ReservationRepository(Protocol):
    def add(self, hold: Hold, details: dict[str, Any]) -> None: ...
    def get(self, hold_id: str) -> Hold | None: ...
    def resolve(
        self, hold_id: str, status: HoldStatus, committed_points: int | None, at: datetime
    ) -> bool: ...
    def open_expired(self, now: datetime, limit: int) -> list[Hold]: ...
    def open_expired_for(self, member_id: str, now: datetime) -> list[Hold]: ...


@dataclass(frozen=True, slots=True)
class StoredResponse:
    fingerprint: str
    status_code: int
    body: dict[str, Any]


class IdempotencyRepository(Protocol):
    def claim(self, scope: str, key: str, fingerprint: str, at: datetime) -> StoredResponse | None:
        """Record the key, or return what an earlier request with it stored."""
        ...

    def complete(self, scope: str, key: str, status_code: int, body: dict[str, Any]) -> None: ...


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    name: str
    role: Role
    secret_hash: str
    created_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class MemberTokenRecord:
    token_id: str
    member_id: str
    secret_hash: str
    expires_at: datetime


class AccessRepository(Protocol):
    def add_key(self, record: ApiKeyRecord) -> None: ...
    def get_key(self, key_id: str) -> ApiKeyRecord | None: ...
    def add_member_token(self, record: MemberTokenRecord) -> None: ...
    def get_member_token(self, token_id: str) -> MemberTokenRecord | None: ...


class UnitOfWork(Protocol):
    """One business transaction: commit makes every write visible, or none."""

    members: MemberRepository
    ledger: LedgerRepository
    purchases: PurchaseRepository
    reservations: ReservationRepository
    idempotency: IdempotencyRepository
    access: AccessRepository
    audit: LedgerAuditSource

    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def savepoint(self) -> AbstractContextManager[None]: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> AbstractContextManager[UnitOfWork]: ...


class Clock(Protocol):
    def now(self) -> datetime: ...
