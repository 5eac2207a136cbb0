"""The chart of accounts.

Member accounts are the programme's liability (what members may still claim) and
must never go below zero; ``debt`` is the one member account that may only be
negative: points a member owes after a return of points already spent.
System accounts are the other side of every movement; their balances are derived
from postings, so no global row is ever locked.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    WALLET = "wallet"  # available points
    PENDING = "pending"  # earned, not yet spendable
    HELD = "held"  # reserved by an open till hold
    DEBT = "debt"  # negative: points owed by the member
    ISSUANCE = "issuance"
    REDEMPTION = "redemption"
    BREAKAGE = "breakage"
    ADJUSTMENT = "adjustment"

    @property
    def is_member_account(self) -> bool:
        return self in MEMBER_ACCOUNTS


MEMBER_ACCOUNTS = frozenset(
    {AccountKind.WALLET, AccountKind.PENDING, AccountKind.HELD, AccountKind.DEBT}
)
SYSTEM_ACCOUNTS = frozenset(AccountKind) - MEMBER_ACCOUNTS


@dataclass(frozen=True, slots=True)
class MemberBalance:
    """The four member account balances, in points."""

    available: int = 0
    pending: int = 0
    held: int = 0
    debt: int = 0  # <= 0

    def get(self, kind: AccountKind) -> int:
        return int(getattr(self, kind.value if kind != AccountKind.WALLET else "available"))

    def is_valid(self) -> bool:
        return self.available >= 0 and self.pending >= 0 and self.held >= 0 and self.debt <= 0

    def apply(self, deltas: dict[AccountKind, int]) -> MemberBalance:
        return MemberBalance(
            available=self.available + deltas.get(AccountKind.WALLET, 0),
            pending=self.pending + deltas.get(AccountKind.PENDING, 0),
            held=self.held + deltas.get(AccountKind.HELD, 0),
            debt=self.debt + deltas.get(AccountKind.DEBT, 0),
        )
