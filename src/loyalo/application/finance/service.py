"""Liability and breakage from the ledger, and the financial model's inputs from them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalo.application.context import AppContext
from loyalo.application.ports import UnitOfWork
from loyalo.domain.finance.cohorts import (
    DEFAULT_HORIZON_MONTHS,
    BreakageForecast,
    CohortBook,
    forecast,
)
from loyalo.domain.finance.liability import (
    EntryFlow,
    FlowTotals,
    Liability,
    MonthFlows,
    OutstandingPoints,
    liability_of,
    month_of,
    monthly_flows,
    points_value,
    totals_of,
)
from loyalo.domain.finance.model import FinancialInputs
from loyalo.domain.money import Money


@dataclass(frozen=True, slots=True)
class LiabilityReport:
    liability: Liability
    currency: str
    months: tuple[MonthFlows, ...]
    totals: FlowTotals
    cost_of_redeemed: Money  # every point redeemed so far, at the redemption rate


@dataclass(frozen=True, slots=True)
class BreakageReport:
    as_of: datetime
    currency: str
    redeem_points_per_unit: Decimal
    totals: FlowTotals
    forecast: BreakageForecast

    @property
    def never_redeemed_value(self) -> Money:
        return points_value(
            self.forecast.never_redeemed, self.redeem_points_per_unit, self.currency
        )


@dataclass(frozen=True, slots=True)
class LedgerPosition:
    """Liability and breakage read in one transaction, with the rates they were valued at."""

    liability: LiabilityReport
    breakage: BreakageReport
    earn_points_per_unit: Decimal

    def model_inputs(self, base: FinancialInputs) -> FinancialInputs:
        """``base`` with the ledger's actuals: today's liability, the point's value and the
        earning rate, and the redemption rate the cohorts forecast (kept when none issued)."""
        forecast_ = self.breakage.forecast
        return replace(
            base,
            opening_liability=Decimal(self.liability.liability.outstanding.liability),
            point_value=1 / self.breakage.redeem_points_per_unit,
            earn_points_per_unit=self.earn_points_per_unit,
            redemption_rate=(
                forecast_.ultimate_redemption_rate if forecast_.issued > 0 else base.redemption_rate
            ),
        )


@dataclass(frozen=True, slots=True)
class _Programme:
    currency: str
    zone: ZoneInfo
    redeem_points_per_unit: Decimal
    earn_points_per_unit: Decimal


@dataclass(frozen=True, slots=True)
class _Read:
    programme: _Programme
    outstanding: OutstandingPoints
    flows: list[EntryFlow]


class FinanceService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def liability(self, as_of: datetime | None = None) -> LiabilityReport:
        at = as_of or self._ctx.clock.now()
        return _liability(self._read(at), at)

    def breakage(
        self, as_of: datetime | None = None, horizon_months: int = DEFAULT_HORIZON_MONTHS
    ) -> BreakageReport:
        at = as_of or self._ctx.clock.now()
        return _breakage(self._read(at), at, horizon_months)

    def position(
        self, as_of: datetime | None = None, horizon_months: int = DEFAULT_HORIZON_MONTHS
    ) -> LedgerPosition:
        at = as_of or self._ctx.clock.now()
        read = self._read(at)
        return LedgerPosition(
            liability=_liability(read, at),
            breakage=_breakage(read, at, horizon_months),
            earn_points_per_unit=read.programme.earn_points_per_unit,
        )

    def _read(self, at: datetime) -> _Read:
        with self._ctx.uow() as uow:
            read = uow.finance.read(at)  # first: the snapshot starts here
            flows = list(read.flows)
            programme = self._programme(uow)
        return _Read(programme, read.outstanding, flows)

    def _programme(self, uow: UnitOfWork) -> _Programme:
        compiled = self._ctx.programmes.compiled(uow)
        document = compiled.document
        return _Programme(
            currency=document.currency,
            zone=ZoneInfo(document.timezone),
            redeem_points_per_unit=document.redeem_points_per_unit,
            earn_points_per_unit=compiled.terms.earn_points_per_unit,
        )


def _liability(read: _Read, at: datetime) -> LiabilityReport:
    rate, currency = read.programme.redeem_points_per_unit, read.programme.currency
    months = monthly_flows(read.flows, read.programme.zone)
    totals = totals_of(months)
    return LiabilityReport(
        liability=liability_of(read.outstanding, rate, currency, at),
        currency=currency,
        months=tuple(months),
        totals=totals,
        cost_of_redeemed=points_value(totals.redeemed, rate, currency),
    )


def _breakage(read: _Read, at: datetime, horizon_months: int) -> BreakageReport:
    zone = read.programme.zone
    book = CohortBook(zone)
    for flow in read.flows:
        book.record(flow)
    return BreakageReport(
        as_of=at,
        currency=read.programme.currency,
        redeem_points_per_unit=read.programme.redeem_points_per_unit,
        totals=totals_of(monthly_flows(read.flows, zone)),
        forecast=forecast(book, month_of(at, zone), horizon_months),
    )
