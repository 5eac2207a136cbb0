"""Tamper evidence: every entry's hash covers its content and the previous hash.

Chains are per member, so unrelated members never wait on one global lock.
The content is serialised canonically (sorted keys, UTC timestamps with
microseconds) so that any engine that stores the same values gives the same hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainedContent:
    entry_id: str
    member_id: str
    seq: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    postings: tuple[tuple[str, int], ...]
    provenance: dict[str, Any]
    prev_hash: str


def canonical_time(moment: datetime) -> str:
    if moment.tzinfo is None:  # stored as UTC without a zone (SQLite)
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(content: ChainedContent) -> str:
    document = {
        "id": content.entry_id,
        "member": content.member_id,
        "seq": content.seq,
        "kind": content.kind,
        "occurred_at": canonical_time(content.occurred_at),
        "recorded_at": canonical_time(content.recorded_at),
        "postings": sorted([list(p) for p in content.postings]),
        "provenance": {k: v for k, v in sorted(content.provenance.items()) if v is not None},
        "prev": content.prev_hash,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


class ChainLink(Protocol):
    """A stored entry of a chain: the points ledger's or the money wallet's."""

    @property
    def seq(self) -> int: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    def content(self) -> ChainedContent: ...


def link_problem(link: ChainLink, prev: str, expected_seq: int) -> str | None:
    """What is wrong with one link of a chain, or None: its place, its link, its content."""
    if link.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}, found {link.seq}"
    if link.prev_hash != prev:
        return "previous-hash link is broken"
    content = link.content()
    total = sum(amount for _, amount in content.postings)
    if total != 0:
        return f"postings sum to {total}, not zero"
    if entry_hash(content) != link.hash:
        return "content does not match its hash (the entry was altered)"
    return None
