"""What rule conditions can read: the basket, its lines, the member, the time, the event.

Amounts are Decimals in currency units (``basket.total >= 100``); the engine
itself works in integer minor units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from loyalo.domain.members.member import Member

SCOPE_NAMES = frozenset(
    {"basket", "line", "member", "tier", "channel", "store", "time", "event", "trigger"}
)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class LineView:
    index: int
    sku: str
    quantity: int
    price: Decimal  # unit price
    amount: Decimal  # the line's value after the till's own discount
    category: str | None = None
    labels: tuple[str, ...] = ()
    delivery: bool = False
    name: str | None = None


@dataclass(frozen=True, slots=True)
class BasketView:
    total: Decimal
    quantity: int
    lines: tuple[LineView, ...]
    skus: frozenset[str]
    categories: frozenset[str]
    labels: frozenset[str]


@dataclass(frozen=True, slots=True)
class MemberView:
    id: str
    tier: str | None = None
    joined: date | None = None
    birth_date: date | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)
    spent: Decimal = Decimal(0)  # money spent before this purchase, net of returns

    @classmethod
    def of(cls, member: Member, tier: str | None, spent: Decimal = Decimal(0)) -> MemberView:
        return cls(
            id=member.member_id,
            tier=tier,
            joined=member.created_at.date(),
            birth_date=member.birth_date,
            attributes=member.attributes,
            spent=spent,
        )


@dataclass(frozen=True, slots=True)
class TimeView:
    """Local time in the programme's time zone."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    weekday: int  # Monday 0
    weekday_name: str  # "mon" ... "sun"
    date: str  # ISO date, e.g. "2026-11-22"

    @classmethod
    def of(cls, local: datetime) -> TimeView:
        return cls(
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.weekday(),
            _WEEKDAYS[local.weekday()],
            local.date().isoformat(),
        )
