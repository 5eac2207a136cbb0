"""Each member's spend before and after joining, for the members who joined in a period.

"Before" is the ``window_days`` before the moment the member joined (``created_at``), "after"
the ``window_days`` from it. Before can only hold purchases recorded for the member with an
earlier date: history imported for them, or the receipts of a till that sent them late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.money import Money


@dataclass(frozen=True, slots=True)
class SpendAroundJoining:
    member_id: str
    joined_at: datetime  # aware, UTC
    orders_before: int
    spend_before_minor: int
    orders_after: int
    spend_after_minor: int


@dataclass(frozen=True, slots=True)
class JoiningSpend:
    period: Period
    filters: KpiFilters
    currency: str
    window_days: int
    observed_until: datetime | None  # the export read; None: never exported
    members: tuple[SpendAroundJoining, ...]  # by member id

    def complete(self, member: SpendAroundJoining) -> bool:
        """Whether the member's window after joining had ended when the store was exported."""
        if self.observed_until is None:
            return False
        return member.joined_at + timedelta(days=self.window_days) <= self.observed_until

    @property
    def complete_windows(self) -> int:
        return sum(1 for m in self.members if self.complete(m))

    @property
    def with_orders_before(self) -> int:
        return sum(1 for m in self.members if m.orders_before > 0)

    @property
    def orders_before(self) -> int:
        return sum(m.orders_before for m in self.members)

    @property
    def orders_after(self) -> int:
        return sum(m.orders_after for m in self.members)

    @property
    def spend_before(self) -> Money:
        return Money(sum(m.spend_before_minor for m in self.members), self.currency)

    @property
    def spend_after(self) -> Money:
        return Money(sum(m.spend_after_minor for m in self.members), self.currency)
