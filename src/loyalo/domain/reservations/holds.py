"""A hold's life: open, then committed, released or expired, exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from loyalo.domain.errors import HoldAlreadyResolved


class HoldStatus(StrEnum):
    OPEN = "open"
    COMMITTED = "committed"
    RELEASED = "released"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Hold:
    hold_id: str
    member_id: str
    points: int
    status: HoldStatus
    expires_at: datetime
    committed_points: int | None = None

    def is_expired_at(self, now: datetime) -> bool:
        return self.status is HoldStatus.OPEN and now >= self.expires_at

    def ensure_open(self, now: datetime) -> None:
        """Refuse to resolve a hold twice; an expired one counts as resolved."""
        if self.status is not HoldStatus.OPEN:
            raise HoldAlreadyResolved(
                f"reservation {self.hold_id} is already {self.status}", state=self.status.value
            )
        if self.is_expired_at(now):
            raise HoldAlreadyResolved(
                f"reservation {self.hold_id} expired at {self.expires_at.isoformat()}",
                state=HoldStatus.EXPIRED.value,
            )
