"""Journal entries: a set of postings that sum to zero, with why they happened."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from loyalo.domain.ledger.accounts import AccountKind, MemberBalance


class EntryKind(StrEnum):
    EARN = "earn"
    RETURN = "return"
    HOLD = "hold"
    COMMIT = "commit"
    RELEASE = "release"
    ADJUSTMENT = "adjustment"
    PENDING_RELEASE = "pending_release"
    EXPIRY = "expiry"
    REDEEM = "redeem"  # points exchanged for a catalogue reward
    REDEEM_CANCEL = "redeem_cancel"  # a cancelled redemption gives its points back


class UnbalancedEntry(AssertionError):
    """A programming error: an entry whose postings do not sum to zero must never be built."""


@dataclass(frozen=True, slots=True)
class Posting:
    account: AccountKind
    points: int


@dataclass(frozen=True, slots=True)
class Provenance:
    """Why an entry exists: where it came from and what produced it."""

    channel: str | None = None
    store_id: str | None = None
    source_type: str | None = None  # purchase, return, reservation, adjustment, job
    source_id: str | None = None
    reason: str | None = None
    actor: str | None = None
    programme_version: int | None = None
    rule_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    kind: EntryKind
    postings: tuple[Posting, ...]
    provenance: Provenance
    occurred_at: datetime

    def __post_init__(self) -> None:
        if not self.postings:
            raise UnbalancedEntry("an entry needs postings")
        if any(p.points == 0 for p in self.postings):
            raise UnbalancedEntry("zero postings carry no meaning")
        if sum(p.points for p in self.postings) != 0:
            raise UnbalancedEntry(f"postings do not sum to zero: {self.postings}")

    @classmethod
    def restore(
        cls,
        kind: EntryKind,
        postings: tuple[Posting, ...],
        provenance: Provenance,
        occurred_at: datetime,
    ) -> JournalEntry:
        """Rebuild a stored entry without its checks, so that an audit can see a broken one."""
        entry = object.__new__(cls)
        for name, value in (
            ("kind", kind),
            ("postings", postings),
            ("provenance", provenance),
            ("occurred_at", occurred_at),
        ):
            object.__setattr__(entry, name, value)
        return entry

    def member_deltas(self) -> dict[AccountKind, int]:
        deltas: dict[AccountKind, int] = defaultdict(int)
        for posting in self.postings:
            if posting.account.is_member_account:
                deltas[posting.account] += posting.points
        return dict(deltas)

    def applied_to(self, balance: MemberBalance) -> MemberBalance:
        return balance.apply(self.member_deltas())


def postings(*pairs: tuple[AccountKind, int]) -> tuple[Posting, ...]:
    """Postings from (account, points) pairs, dropping zeros and merging repeats."""
    merged: dict[AccountKind, int] = defaultdict(int)
    for account, points in pairs:
        merged[account] += points
    return tuple(Posting(a, p) for a, p in merged.items() if p != 0)
