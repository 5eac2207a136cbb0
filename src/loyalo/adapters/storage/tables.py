"""The schema. Every table the application stores lives here, in one place.

The ledger tables (``journal_entries``, ``postings``) are append-only: the
migration installs triggers that refuse UPDATE and DELETE on both engines, and
CHECK constraints keep member balances from going negative.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from loyalo.adapters.storage.types import JsonDocument, UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonDocument}


class MemberRow(Base):
    __tablename__ = "members"

    member_id: Mapped[str] = mapped_column(ID, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(32), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MemberBalanceRow(Base):
    """One row per member: the balances and the head of the member's hash chain.

    Locking this row serialises one member's writes and nobody else's.
    """

    __tablename__ = "member_balances"
    __table_args__ = (
        CheckConstraint("available >= 0", name="available_not_negative"),
        CheckConstraint("pending >= 0", name="pending_not_negative"),
        CheckConstraint("held >= 0", name="held_not_negative"),
        CheckConstraint("debt <= 0", name="debt_not_positive"),
    )

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    available: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    debt: Mapped[int] = mapped_column(BigInteger, default=0)
    chain_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_hash: Mapped[str] = mapped_column(String(64))


class JournalEntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (
        UniqueConstraint("member_id", "seq", name="uq_journal_entries_member_seq"),
        Index("ix_journal_entries_source", "source_type", "source_id"),
    )

    entry_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(64))
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(128))
    programme_version: Mapped[int | None] = mapped_column(Integer)
    rule_id: Mapped[str | None] = mapped_column(String(128))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class PostingRow(Base):
    __tablename__ = "postings"

    posting_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("journal_entries.entry_id"), index=True)
    member_id: Mapped[str] = mapped_column(ID, index=True)
    account: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)


class LotRow(Base):
    __tablename__ = "lots"
    __table_args__ = (
        CheckConstraint("points_remaining >= 0", name="remaining_not_negative"),
        CheckConstraint("points_remaining <= points_original", name="remaining_within_original"),
        Index("ix_lots_member_open", "member_id", "pending", "earned_at"),
        Index("ix_lots_expiry", "expires_at"),
    )

    lot_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    entry_id: Mapped[str] = mapped_column(ForeignKey("journal_entries.entry_id"))
    source_id: Mapped[str | None] = mapped_column(String(64))
    points_original: Mapped[int] = mapped_column(BigInteger)
    points_remaining: Mapped[int] = mapped_column(BigInteger)
    pending: Mapped[bool] = mapped_column(Boolean)
    earned_at: Mapped[datetime]
    available_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]


class PurchaseRow(Base):
    __tablename__ = "purchases"
    __table_args__ = (
        UniqueConstraint("store_id", "receipt_id", name="uq_purchases_receipt"),
        Index("ix_purchases_occurred_at", "occurred_at"),
    )

    purchase_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    store_id: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    currency: Mapped[str] = mapped_column(String(3))
    total_minor: Mapped[int] = mapped_column(BigInteger)
    points_earned: Mapped[int] = mapped_column(BigInteger)
    fingerprint: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str | None] = mapped_column(ID)
    programme_version: Mapped[int | None] = mapped_column(Integer)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class PurchaseLineRow(Base):
    __tablename__ = "purchase_lines"

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger)
    labels: Mapped[list[str] | None] = mapped_column(JsonDocument)
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)


class PurchaseDiscountRow(Base):
    """The programme's discounts on a purchase: tier, promotions, progressive."""

    __tablename__ = "purchase_discounts"

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(300))


class PurchaseLinePointsRow(Base):
    """Points each rule gave each line: a return takes back exactly these."""

    __tablename__ = "purchase_line_points"

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    points: Mapped[int] = mapped_column(BigInteger)


class PurchaseLineStampsRow(Base):
    """Stamps each stamp-card rule gave each line: a return takes back exactly these."""

    __tablename__ = "purchase_line_stamps"
    __table_args__ = (CheckConstraint("stamps > 0", name="stamps_positive"),)

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    card: Mapped[str] = mapped_column(String(80))
    stamps: Mapped[int] = mapped_column(Integer)


class PurchaseReturnRow(Base):
    __tablename__ = "purchase_returns"

    return_id: Mapped[str] = mapped_column(ID, primary_key=True)
    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), index=True)
    occurred_at: Mapped[datetime]
    value_minor: Mapped[int] = mapped_column(BigInteger)
    points_taken: Mapped[int] = mapped_column(BigInteger)
    debt_points: Mapped[int] = mapped_column(BigInteger)
    line_quantities: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    entry_id: Mapped[str | None] = mapped_column(ID)


class ReservationRow(Base):
    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("points > 0", name="points_positive"),
        Index("ix_reservations_open", "status", "expires_at"),
    )

    hold_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    points: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    expires_at: Mapped[datetime]
    committed_points: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    store_id: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str | None] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(128))


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(160), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    created_at: Mapped[datetime]


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    partner_id: Mapped[str | None] = mapped_column(String(24))  # partner keys (0010)


class MemberTokenRow(Base):
    __tablename__ = "member_tokens"

    token_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class ImportRunRow(Base):
    """One import of one history file; the checkpoint advances with each batch."""

    __tablename__ = "import_runs"

    run_id: Mapped[str] = mapped_column(ID, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    options: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    receipts_done: Mapped[int] = mapped_column(BigInteger)
    counts: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class NonMemberSaleRow(Base):
    """A line sold to (or returned by) someone who is not a member: analytics only."""

    __tablename__ = "non_member_sales"
    __table_args__ = (Index("ix_non_member_sales_occurred_at", "occurred_at"),)

    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.run_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime]
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)  # negative: returned
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    country: Mapped[str | None] = mapped_column(String(64))


class UnmatchedReturnRow(Base):
    """Returned units that no earlier receipt of the member holds: no points were taken."""

    __tablename__ = "unmatched_returns"

    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.run_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    store_id: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(128))
    occurred_at: Mapped[datetime]
    sku: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_minor: Mapped[int] = mapped_column(BigInteger)


class ImportedReturnRow(Base):
    """A return receipt from history, recorded once: the permanent guard against a resend."""

    __tablename__ = "imported_returns"

    store_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.run_id"))
    occurred_at: Mapped[datetime]
    matched_units: Mapped[int] = mapped_column(Integer)
    unmatched_units: Mapped[int] = mapped_column(Integer)


class ImportRejectRow(Base):
    """A receipt the import refused, whole, with the reason."""

    __tablename__ = "import_rejects"

    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.run_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(String(500))


class MemberWalletRow(Base):
    """One row per member with a wallet: money balance, money debt, head of its chain.

    Taken under the member's ``member_balances`` lock and after it, so the lock
    order is always the same; CHECK constraints refuse a negative balance.
    """

    __tablename__ = "member_wallets"
    __table_args__ = (
        CheckConstraint("balance_minor >= 0", name="balance_not_negative"),
        CheckConstraint("debt_minor <= 0", name="debt_not_positive"),
    )

    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    debt_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    chain_seq: Mapped[int] = mapped_column(Integer, default=0)
    chain_hash: Mapped[str] = mapped_column(String(64))


class WalletEntryRow(Base):
    """Append-only (triggers refuse UPDATE and DELETE): one money movement."""

    __tablename__ = "wallet_entries"
    __table_args__ = (
        UniqueConstraint("member_id", "seq", name="uq_wallet_entries_member_seq"),
        Index("ix_wallet_entries_source", "source_type", "source_id"),
    )

    entry_id: Mapped[str] = mapped_column(ID, primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(64))
    source_type: Mapped[str | None] = mapped_column(String(32))
    source_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str | None] = mapped_column(String(128))
    programme_version: Mapped[int | None] = mapped_column(Integer)
    rule_id: Mapped[str | None] = mapped_column(String(128))
    extra: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class WalletPostingRow(Base):
    """Append-only: the money postings of a wallet entry (they sum to zero)."""

    __tablename__ = "wallet_postings"

    posting_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    entry_id: Mapped[str] = mapped_column(ForeignKey("wallet_entries.entry_id"), index=True)
    member_id: Mapped[str] = mapped_column(ID, index=True)
    account: Mapped[str] = mapped_column(String(24))
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class PurchaseLineCashbackRow(Base):
    """Wallet cashback each rule gave each line: a return takes back exactly these."""

    __tablename__ = "purchase_line_cashback"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    purchase_id: Mapped[str] = mapped_column(ForeignKey("purchases.purchase_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
