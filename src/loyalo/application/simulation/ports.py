"""What a backtest needs from storage: the history, read-only, streamed in time order."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from loyalo.domain.programme.simulation.history import (
    LedgerMovements,
    MemberFacts,
    PastEvent,
    PastPurchase,
    PastReturn,
)


@dataclass(frozen=True, slots=True)
class HistoryCounts:
    purchases: int
    returns: int
    events: int

    @property
    def records(self) -> int:
        return self.purchases + self.returns + self.events


class HistoryReader(Protocol):
    """One consistent, read-only snapshot of the stored history.

    Each stream is in time order (ties by id) and is read in chunks, so memory
    does not grow with the number of purchases. Everything before ``until``
    (exclusive) is read, from the first record on.
    """

    def counts(self, until: datetime) -> HistoryCounts: ...
    def purchases(self, until: datetime) -> Iterator[PastPurchase]: ...
    def returns(self, until: datetime) -> Iterator[PastReturn]: ...
    def events(self, until: datetime) -> Iterator[PastEvent]: ...
    def returned_purchases(self, until: datetime) -> dict[str, int]:
        """Purchase id -> how many returns it has before ``until``."""
        ...

    def members(self, member_ids: Collection[str]) -> dict[str, MemberFacts]: ...
    def ledger(self, start: datetime, end: datetime) -> LedgerMovements: ...


class HistorySource(Protocol):
    """Opens a reader; the snapshot ends when the context does."""

    def __call__(self) -> AbstractContextManager[HistoryReader]: ...
