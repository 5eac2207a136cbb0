"""What referrals need from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from loyalo.domain.referrals.decisions import ReferralStatus, RefusalReason, Side, Stage


@dataclass(frozen=True, slots=True)
class StoredReferral:
    referral_id: str
    friend_id: str
    advocate_id: str | None  # None: the code named nobody
    code: str
    status: ReferralStatus
    reason: RefusalReason | None
    programme_version: int
    created_at: datetime
    rewarded_at: datetime | None = None
    qualified_at: datetime | None = None
    purchase_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReferralReward:
    reward_id: str  # the source id of the reward's lot
    referral_id: str
    member_id: str
    stage: Stage
    side: Side
    points: int
    entry_id: str
    earned_at: datetime
    available_at: datetime
    reversed_at: datetime | None = None
    reversal_entry_id: str | None = None


@dataclass(frozen=True, slots=True)
class Settled:
    """A referral moved on: its new status and, when it qualified, the purchase."""

    status: ReferralStatus
    reason: RefusalReason | None
    at: datetime
    purchase_id: str | None = None
    rewarded: bool = False  # the first rewards of this referral: it counts against the cap


@dataclass(frozen=True, slots=True)
class ReferralTally:
    """An advocate's referrals counted: statuses as shown, and the advocate's points."""

    invited: int
    qualified: int  # rewarded ones included
    rewarded: int
    refused: int
    reversed: int
    points_pending: int
    points_earned: int


class ReferralRepository(Protocol):
    def code_of(self, member_id: str) -> str | None: ...
    def add_code(self, member_id: str, code: str, at: datetime) -> None:
        """Does nothing when the member has a code or the code is taken."""
        ...

    def owner_of(self, code: str) -> str | None: ...
    def add(self, referral: StoredReferral) -> None: ...
    def of_friend(self, friend_id: str) -> StoredReferral | None: ...
    def of_advocate(self, advocate_id: str, limit: int) -> list[StoredReferral]: ...
    def rewarded_since(self, advocate_id: str, since: datetime | None) -> int: ...
    def tally(self, advocate_id: str, now: datetime) -> ReferralTally: ...
    def settle(self, referral_id: str, expected: ReferralStatus, settled: Settled) -> bool:
        """Move a referral on only if it is still ``expected``: False when it was not."""
        ...

    def add_reward(self, reward: ReferralReward) -> None: ...
    def rewards_of_referral(self, referral_id: str) -> list[ReferralReward]: ...
    def reverse_reward(self, reward_id: str, at: datetime, entry_id: str) -> bool: ...
