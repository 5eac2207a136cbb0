"""Wallet entries: money postings that sum to zero, with why they happened.

The wallet is a second, smaller ledger beside the points ledger, built the same
way: double entry, append-only, a hash chain per member, a balance row that
never goes below zero. Amounts are integer minor units of one currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from loyalo.domain.ledger.chain import ChainedContent
from loyalo.domain.ledger.journal import Provenance, UnbalancedEntry
from loyalo.domain.ledger.stored import provenance_fields


class WalletAccount(StrEnum):
    BALANCE = "balance"  # member: money the member can spend (>= 0)
    DEBT = "debt"  # member: cashback owed after a return of spent money (<= 0)
    CASHBACK_ISSUED = "cashback_issued"  # system: the other side of cashback and its returns
    WALLET_SPENT = "wallet_spent"  # system: money the member paid with at a till

    @property
    def is_member_account(self) -> bool:
        return self in (WalletAccount.BALANCE, WalletAccount.DEBT)


class WalletEntryKind(StrEnum):
    CASHBACK = "cashback"
    CASHBACK_RETURN = "cashback_return"
    SPEND = "spend"


@dataclass(frozen=True, slots=True)
class WalletBalance:
    """The member's two wallet accounts, in minor units."""

    balance_minor: int = 0
    debt_minor: int = 0  # <= 0

    def is_valid(self) -> bool:
        return self.balance_minor >= 0 and self.debt_minor <= 0

    def apply(self, postings: tuple[WalletPosting, ...]) -> WalletBalance:
        balance, debt = self.balance_minor, self.debt_minor
        for posting in postings:
            if posting.account is WalletAccount.BALANCE:
                balance += posting.amount_minor
            elif posting.account is WalletAccount.DEBT:
                debt += posting.amount_minor
        return WalletBalance(balance, debt)


@dataclass(frozen=True, slots=True)
class WalletPosting:
    account: WalletAccount
    amount_minor: int


@dataclass(frozen=True, slots=True)
class WalletEntry:
    kind: WalletEntryKind
    currency: str
    postings: tuple[WalletPosting, ...]
    provenance: Provenance
    occurred_at: datetime

    def __post_init__(self) -> None:
        if not self.postings:
            raise UnbalancedEntry("a wallet entry needs postings")
        if any(p.amount_minor == 0 for p in self.postings):
            raise UnbalancedEntry("zero postings carry no meaning")
        if sum(p.amount_minor for p in self.postings) != 0:
            raise UnbalancedEntry(f"wallet postings do not sum to zero: {self.postings}")

    @classmethod
    def restore(
        cls,
        kind: WalletEntryKind,
        currency: str,
        postings: tuple[WalletPosting, ...],
        provenance: Provenance,
        occurred_at: datetime,
    ) -> WalletEntry:
        """Rebuild a stored entry without its checks, so that an audit can see a broken one."""
        entry = object.__new__(cls)
        for name, value in (
            ("kind", kind),
            ("currency", currency),
            ("postings", postings),
            ("provenance", provenance),
            ("occurred_at", occurred_at),
        ):
            object.__setattr__(entry, name, value)
        return entry


def wallet_postings(*pairs: tuple[WalletAccount, int]) -> tuple[WalletPosting, ...]:
    """Postings from (account, minor units) pairs, dropping zeros and merging repeats."""
    merged: dict[WalletAccount, int] = defaultdict(int)
    for account, amount in pairs:
        merged[account] += amount
    return tuple(WalletPosting(a, v) for a, v in merged.items() if v != 0)


@dataclass(frozen=True, slots=True)
class WalletHead:
    """The member's wallet and the end of its hash chain, read under the member's lock."""

    member_id: str
    currency: str
    balance: WalletBalance
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class StoredWalletEntry:
    entry_id: str
    member_id: str
    seq: int
    entry: WalletEntry
    recorded_at: datetime
    prev_hash: str
    hash: str

    def content(self) -> ChainedContent:
        return wallet_chained_content(
            self.entry_id, self.member_id, self.seq, self.entry, self.recorded_at, self.prev_hash
        )


def wallet_chained_content(
    entry_id: str,
    member_id: str,
    seq: int,
    entry: WalletEntry,
    recorded_at: datetime,
    prev_hash: str,
) -> ChainedContent:
    """The hashed content: the points ledger's canonical form, with the currency in it."""
    provenance = {"currency": entry.currency, **provenance_fields(entry.provenance)}
    return ChainedContent(
        entry_id=entry_id,
        member_id=member_id,
        seq=seq,
        kind=entry.kind.value,
        occurred_at=entry.occurred_at,
        recorded_at=recorded_at,
        postings=tuple((p.account.value, p.amount_minor) for p in entry.postings),
        provenance=provenance,
        prev_hash=prev_hash,
    )
