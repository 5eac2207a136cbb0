"""What a replay reads: the stored history, as the live path recorded it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from loyalo.domain.coupons.validation import TillCoupon
from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class MemberFacts:
    """What rule conditions may read about a member (``member.joined`` and the rest)."""

    member_id: str
    joined: date
    birth_date: date | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PastPurchase:
    purchase_id: str
    member_id: str
    occurred_at: datetime
    channel: str
    store_id: str
    total_minor: int
    lines: tuple[Line, ...]
    coupons: tuple[TillCoupon, ...] = ()  # the codes it used, applied again by the replay


@dataclass(frozen=True, slots=True)
class PastReturn:
    return_id: str
    purchase_id: str
    occurred_at: datetime
    line_quantities: Mapping[int, int]  # line index -> units returned


@dataclass(frozen=True, slots=True)
class PastEvent:
    event_id: str
    member_id: str
    name: str
    channel: str
    occurred_at: datetime
    attributes: Mapping[str, Any] = field(default_factory=dict)


PastRecord = PastPurchase | PastReturn | PastEvent

# At one moment an event comes first (a member enrolled at the till, then buys), then a
# purchase, then a return (of that purchase).
_RANK = {PastEvent: 0, PastPurchase: 1, PastReturn: 2}


def record_id(record: PastRecord) -> str:
    if isinstance(record, PastPurchase):
        return record.purchase_id
    if isinstance(record, PastReturn):
        return record.return_id
    return record.event_id


def replay_order(record: PastRecord) -> tuple[datetime, int, str]:
    """The order records are replayed in: time, then kind, then id (deterministic)."""
    return record.occurred_at, _RANK[type(record)], record_id(record)


@dataclass(frozen=True, slots=True)
class LedgerMovements:
    """What the ledger recorded: where the period starts, and what moved in it.

    Member points are available + pending + held, less debt: the liability.
    """

    opening_points: int  # at the start of the period
    issued: int  # earned by purchases and events in the period
    taken_back: int  # by returns in the period
    redeemed: int
    expired: int
    adjusted: int  # adjustments up, less adjustments down
    closing_points: int  # at the end of the period
    versions: Mapping[int, int] = field(default_factory=dict)  # version -> purchases it recorded
    late_entries: int = 0  # points earned, recorded over a day after they happened (imported)

    @property
    def net_issued(self) -> int:
        return self.issued - self.taken_back
