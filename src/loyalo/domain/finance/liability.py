"""The programme's liability and its monthly flows, from the ledger's own figures.

Every journal entry moves points between member accounts and system accounts;
an entry's system postings say what happened to the programme's promise:
issuance (earned, or taken back by a return), redemption (spent, or given back
by a cancellation), breakage (expired) and adjustment. Points stay integers; a
money value is the points at the programme's redemption rate, rounded half up
to the currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from loyalo.domain.money import Money, currency_exponent


@dataclass(frozen=True, slots=True)
class EntryFlow:
    """One journal entry's system postings, signed as the programme sees them."""

    member_id: str
    occurred_at: datetime
    issued: int  # -issuance: > 0 earned, < 0 taken back by a return
    redeemed: int  # redemption: > 0 spent, < 0 a cancelled redemption given back
    expired: int  # breakage
    adjusted: int  # -adjustment: > 0 credited by support, < 0 debited

    @property
    def member_change(self) -> int:
        """What the entry did to the members' accounts: its postings sum to zero."""
        return self.issued - self.redeemed - self.expired + self.adjusted


@dataclass(frozen=True, slots=True)
class OutstandingPoints:
    """The members' accounts summed: what the programme still owes, and is owed."""

    available: int
    pending: int
    held: int
    debt: int  # <= 0: points members owe after returns of spent points

    @property
    def liability(self) -> int:
        return self.available + self.pending + self.held


def points_value(points: int | Decimal, redeem_points_per_unit: Decimal, currency: str) -> Money:
    """The money ``points`` pay at ``redeem_points_per_unit`` points per 1.00."""
    exponent = currency_exponent(currency)
    value = (Decimal(points) / redeem_points_per_unit).scaleb(exponent)
    return Money(int(value.to_integral_value(rounding=ROUND_HALF_UP)), currency)


@dataclass(frozen=True, slots=True)
class Liability:
    as_of: datetime
    outstanding: OutstandingPoints
    value: Money  # the liability points at the redemption rate
    redeem_points_per_unit: Decimal


def liability_of(
    outstanding: OutstandingPoints, redeem_points_per_unit: Decimal, currency: str, as_of: datetime
) -> Liability:
    value = points_value(outstanding.liability, redeem_points_per_unit, currency)
    return Liability(as_of, outstanding, value, redeem_points_per_unit)


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    """The first day of the month ``moment`` falls in, on the programme's calendar."""
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(slots=True)
class MonthFlows:
    """A month's movements. ``issued`` is gross, ``taken_back`` what returns removed."""

    month: date
    issued: int = 0
    taken_back: int = 0
    redeemed: int = 0
    expired: int = 0
    adjusted: int = 0
    closing: int = 0  # the members' accounts summed at the month's end

    @property
    def change(self) -> int:
        return self.issued - self.taken_back - self.redeemed - self.expired + self.adjusted

    def add(self, flow: EntryFlow) -> None:
        if flow.issued >= 0:
            self.issued += flow.issued
        else:
            self.taken_back -= flow.issued
        self.redeemed += flow.redeemed
        self.expired += flow.expired
        self.adjusted += flow.adjusted


def monthly_flows(flows: list[EntryFlow], zone: ZoneInfo) -> list[MonthFlows]:
    """Every month from the first movement to the last, with its closing balance."""
    by_month: dict[date, MonthFlows] = {}
    for flow in flows:
        month = month_of(flow.occurred_at, zone)
        by_month.setdefault(month, MonthFlows(month)).add(flow)
    if not by_month:
        return []
    months = _month_range(min(by_month), max(by_month))
    closing = 0
    result: list[MonthFlows] = []
    for month in months:
        row = by_month.get(month, MonthFlows(month))
        closing += row.change
        row.closing = closing
        result.append(row)
    return result


def _month_range(first: date, last: date) -> list[date]:
    return [_add_months(first, k) for k in range(months_between(first, last) + 1)]


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, slots=True)
class FlowTotals:
    issued: int  # net of returns
    redeemed: int  # net of cancellations
    expired: int
    adjusted: int

    @property
    def breakage_rate(self) -> Decimal:
        """Expired ÷ issued (net of returns); zero when nothing was issued."""
        return Decimal(self.expired) / Decimal(self.issued) if self.issued > 0 else Decimal(0)

    @property
    def redemption_rate(self) -> Decimal:
        return Decimal(self.redeemed) / Decimal(self.issued) if self.issued > 0 else Decimal(0)


def totals_of(months: list[MonthFlows]) -> FlowTotals:
    return FlowTotals(
        issued=sum(m.issued - m.taken_back for m in months),
        redeemed=sum(m.redeemed for m in months),
        expired=sum(m.expired for m in months),
        adjusted=sum(m.adjusted for m in months),
    )
