"""Recompute a member's chain and accounting identities; name the first break."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.chain import GENESIS_HASH, link_problem
from loyalo.domain.ledger.stored import StoredEntry


@dataclass(frozen=True, slots=True)
class Finding:
    member_id: str
    entry_id: str | None
    seq: int | None
    problem: str


@dataclass(frozen=True, slots=True)
class LotTotals:
    available: int
    pending: int


def audit_chain(
    member_id: str,
    entries: Iterable[StoredEntry],
    stored_balance: MemberBalance,
    lots: LotTotals,
) -> Finding | None:
    """The first problem in one member's ledger, or None if it is sound."""
    prev = GENESIS_HASH
    balance = MemberBalance()
    expected_seq = 1
    for stored in entries:
        problem = link_problem(stored, prev, expected_seq)
        if problem is None:
            balance = stored.entry.applied_to(balance)
            if not balance.is_valid():
                problem = f"balance goes negative after this entry: {balance}"
        if problem:
            return Finding(member_id, stored.entry_id, stored.seq, problem)
        prev = stored.hash
        expected_seq += 1
    if balance != stored_balance:
        return Finding(
            member_id, None, None, f"stored balance {stored_balance} != postings {balance}"
        )
    if lots.available != balance.available + balance.held or lots.pending != balance.pending:
        return Finding(member_id, None, None, f"lots {lots} do not match balances {balance}")
    return None
