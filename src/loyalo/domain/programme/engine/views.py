"""What rule conditions can read: the basket, its lines, the member, the time, the event.

Amounts are Decimals in currency units (``basket.total >= 100``); the engine
itself works in integer minor units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from loyalo.domain.members.member import Member
from loyalo.domain.programme.engine.arithmetic import minor_to_units
from loyalo.domain.purchases.basket import Line

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
    plan: str | None = None  # the id of the paid membership plan active now

    @classmethod
    def of(
        cls,
        member: Member,
        tier: str | None,
        spent: Decimal = Decimal(0),
        plan: str | None = None,
    ) -> MemberView:
        return cls(
            id=member.member_id,
            tier=tier,
            joined=member.created_at.date(),
            birth_date=member.birth_date,
            attributes=member.attributes,
            spent=spent,
            plan=plan,
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


class PurchaseScope:
    """The scopes a purchase's conditions are evaluated in, each built on first use.

    Most rules of a large programme never look at most of a basket: they are
    not candidates, or their ``when`` fails before any line is read. So
    nothing is built until a condition needs it; then the purchase's scope
    holds the basket view and the local time only when some rule of the
    programme reads ``basket`` or ``time`` (``reads``), and a line's view and
    scope are made for the lines a ``lines`` condition is actually tried on.
    A name no rule reads is simply absent, which no condition can tell apart.
    """

    __slots__ = (
        "_delivery",
        "_exponent",
        "_fixed",
        "_line_scopes",
        "_lines",
        "_local",
        "_purchase",
        "_reads",
        "_views",
    )

    def __init__(
        self,
        lines: Sequence[Line],
        delivery: Sequence[bool],
        fixed: dict[str, object],
        *,
        exponent: int,
        local: datetime,
        reads: frozenset[str],
    ) -> None:
        self._lines = lines
        self._delivery = delivery
        self._fixed = fixed  # the names that are plain values: member, tier, channel...
        self._exponent = exponent
        self._local = local
        self._reads = reads
        self._purchase: dict[str, object] | None = None
        self._views: dict[int, LineView] = {}
        self._line_scopes: dict[int, dict[str, object]] = {}

    def for_purchase(self) -> dict[str, object]:
        """The scope of ``when`` conditions and limit keys (no ``line``)."""
        scope = self._purchase
        if scope is None:
            scope = self._purchase = dict(self._fixed)
            if "basket" in self._reads:
                scope["basket"] = self._basket()
            if "time" in self._reads:
                scope["time"] = TimeView.of(self._local)
        return scope

    def for_line(self, index: int) -> dict[str, object]:
        """The scope of a ``lines`` condition on the line at ``index``."""
        scope = self._line_scopes.get(index)
        if scope is None:
            scope = {**self.for_purchase(), "line": self.view(index)}
            self._line_scopes[index] = scope
        return scope

    def view(self, index: int) -> LineView:
        view = self._views.get(index)
        if view is None:
            line, exponent = self._lines[index], self._exponent
            view = LineView(
                index=index,
                sku=line.sku,
                quantity=line.quantity,
                price=minor_to_units(line.unit_price_minor, exponent),
                amount=minor_to_units(line.total_minor, exponent),
                category=line.category,
                labels=line.labels,
                delivery=self._delivery[index],
                name=line.name,
            )
            self._views[index] = view
        return view

    def _basket(self) -> BasketView:
        lines = self._lines
        return BasketView(
            total=minor_to_units(sum(line.total_minor for line in lines), self._exponent),
            quantity=sum(line.quantity for line in lines),
            lines=tuple(self.view(index) for index in range(len(lines))),
            skus=frozenset(line.sku for line in lines),
            categories=frozenset(line.category for line in lines if line.category),
            labels=frozenset(label for line in lines for label in line.labels),
        )
