"""What the rewards catalogue needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from loyalo.domain.rewards.redemption import CauseTotal, Donation, Redemption

ALL_MEMBERS = "*"
"""The scope of a reward's total limit: every member's redemptions count in one counter."""


class RewardRepository(Protocol):
    """Stock, limit counters, redemptions and donations.

    ``take_stock`` and ``take_slot`` are conditional updates: they succeed only
    while a unit or a slot is left, so concurrent redemptions never oversell,
    whatever they read before.
    """

    def stock_taken(self, reward_ids: Sequence[str]) -> dict[str, int]: ...
    def times(
        self, reward_ids: Sequence[str], scope: str, buckets: dict[str, str]
    ) -> dict[str, int]:
        """Redemptions per reward in its bucket, for one member or for ``ALL_MEMBERS``."""
        ...

    def take_stock(self, reward_id: str, stock: int) -> bool: ...
    def give_back_stock(self, reward_id: str) -> None: ...
    def take_slot(self, reward_id: str, scope: str, bucket: str, times: int) -> bool: ...
    def give_back_slot(self, reward_id: str, scope: str, bucket: str) -> None: ...
    def add(self, redemption: Redemption) -> None: ...
    def get(self, redemption_id: str) -> Redemption | None: ...
    def cancel(self, redemption_id: str, at: datetime, entry_id: str | None) -> bool:
        """Mark an active redemption cancelled; False if it was not active any more."""
        ...

    def of_member(
        self, member_id: str, limit: int, before: datetime | None
    ) -> list[Redemption]: ...
    def add_donation(self, donation: Donation) -> None: ...
    def donations(self, member_id: str) -> list[Donation]: ...
    def cause_totals(self, cause: str | None = None) -> list[CauseTotal]: ...
