"""Recompute a member's wallet chain and balance; name the first break."""

from __future__ import annotations

from collections.abc import Iterable

from loyalo.domain.ledger.audit import Finding
from loyalo.domain.ledger.chain import GENESIS_HASH, entry_hash
from loyalo.domain.wallet.entries import StoredWalletEntry, WalletBalance


def audit_wallet(
    member_id: str, entries: Iterable[StoredWalletEntry], stored: WalletBalance | None
) -> Finding | None:
    """The first problem in one member's wallet, or None. ``stored`` None: no wallet row."""
    prev = GENESIS_HASH
    balance = WalletBalance()
    expected_seq = 1
    for entry in entries:
        problem = _entry_problem(entry, prev, expected_seq)
        if problem is None:
            balance = balance.apply(entry.entry.postings)
            if not balance.is_valid():
                problem = f"wallet goes negative after this entry: {balance}"
        if problem:
            return Finding(member_id, entry.entry_id, entry.seq, f"wallet: {problem}")
        prev = entry.hash
        expected_seq += 1
    if balance != (stored or WalletBalance()):
        return Finding(
            member_id, None, None, f"wallet: stored balance {stored} != its entries {balance}"
        )
    return None


def _entry_problem(stored: StoredWalletEntry, prev: str, expected_seq: int) -> str | None:
    if stored.seq != expected_seq:
        return f"sequence gap: expected {expected_seq}, found {stored.seq}"
    if stored.prev_hash != prev:
        return "previous-hash link is broken"
    total = sum(p.amount_minor for p in stored.entry.postings)
    if total != 0:
        return f"postings sum to {total}, not zero"
    if entry_hash(stored.content()) != stored.hash:
        return "content does not match its hash (the entry was altered)"
    return None
