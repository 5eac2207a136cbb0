"""Recompute a member's wallet chain and balance; name the first break."""

from __future__ import annotations

from collections.abc import Iterable

from loyalo.domain.ledger.audit import Finding
from loyalo.domain.ledger.chain import GENESIS_HASH, link_problem
from loyalo.domain.wallet.entries import StoredWalletEntry, WalletBalance


def audit_wallet(
    member_id: str, entries: Iterable[StoredWalletEntry], stored: WalletBalance | None
) -> Finding | None:
    """The first problem in one member's wallet, or None. ``stored`` None: no wallet row."""
    prev = GENESIS_HASH
    balance = WalletBalance()
    expected_seq = 1
    for entry in entries:
        problem = link_problem(entry, prev, expected_seq)
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
