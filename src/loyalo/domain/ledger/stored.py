"""A journal entry as the store keeps it: with its place in the member's chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.chain import ChainedContent
from loyalo.domain.ledger.journal import JournalEntry, Provenance


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The member's balances and the end of their hash chain, read under a lock."""

    member_id: str
    balance: MemberBalance
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class StoredEntry:
    entry_id: str
    member_id: str
    seq: int
    entry: JournalEntry
    recorded_at: datetime
    prev_hash: str
    hash: str

    def content(self) -> ChainedContent:
        return chained_content(
            self.entry_id, self.member_id, self.seq, self.entry, self.recorded_at, self.prev_hash
        )


def chained_content(
    entry_id: str,
    member_id: str,
    seq: int,
    entry: JournalEntry,
    recorded_at: datetime,
    prev_hash: str,
) -> ChainedContent:
    return ChainedContent(
        entry_id=entry_id,
        member_id=member_id,
        seq=seq,
        kind=entry.kind.value,
        occurred_at=entry.occurred_at,
        recorded_at=recorded_at,
        postings=tuple((p.account.value, p.points) for p in entry.postings),
        provenance=provenance_fields(entry.provenance),
        prev_hash=prev_hash,
    )


def provenance_fields(prov: Provenance) -> dict[str, object]:
    """Where an entry came from: hashed into its chain, and stored beside it, field for field."""
    return {
        "channel": prov.channel,
        "store_id": prov.store_id,
        "source_type": prov.source_type,
        "source_id": prov.source_id,
        "reason": prov.reason,
        "actor": prov.actor,
        "programme_version": prov.programme_version,
        "rule_id": prov.rule_id,
        "extra": prov.extra or None,
    }
