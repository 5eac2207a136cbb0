"""Liability and breakage from the ledger, and the financial model's inputs from them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
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
    FlowTotals,
    Liability,
    MonthFlows,
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
class _Programme:
    currency: str
    zone: ZoneInfo
    redeem_points_per_unit: Decimal
    earn_points_per_unit: Decimal


class FinanceService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def liability(self, as_of: datetime | None = None) -> LiabilityReport:
        at = as_of or self._ctx.clock.now()
        with self._ctx.uow() as uow:
            programme = self._programme(uow)
            outstanding = uow.finance.outstanding()
            months = monthly_flows(list(uow.finance.entry_flows(at)), programme.zone)
        rate, currency = programme.redeem_points_per_unit, programme.currency
        totals = totals_of(months)
        return LiabilityReport(
            liability=liability_of(outstanding, rate, currency, at),
            currency=currency,
            months=tuple(months),
            totals=totals,
            cost_of_redeemed=points_value(totals.redeemed, rate, currency),
        )

    def breakage(
        self, as_of: datetime | None = None, horizon_months: int = DEFAULT_HORIZON_MONTHS
    ) -> BreakageReport:
        at = as_of or self._ctx.clock.now()
        with self._ctx.uow() as uow:
            programme = self._programme(uow)
            book = CohortBook(programme.zone)
            flows = []
            for flow in uow.finance.entry_flows(at):
                book.record(flow)
                flows.append(flow)
        as_of_month: date = month_of(at, programme.zone)
        return BreakageReport(
            as_of=at,
            currency=programme.currency,
            redeem_points_per_unit=programme.redeem_points_per_unit,
            totals=totals_of(monthly_flows(flows, programme.zone)),
            forecast=forecast(book, as_of_month, horizon_months),
        )

    def inputs_from_ledger(self, base: FinancialInputs) -> FinancialInputs:
        """The model's actuals from the programme's own ledger: today's liability, the
        point's value and earning rate, and the redemption rate the cohorts forecast."""
        breakage = self.breakage()
        liability = self.liability()
        with self._ctx.uow() as uow:
            programme = self._programme(uow)
        redemption = breakage.forecast.ultimate_redemption_rate
        return replace(
            base,
            opening_liability=Decimal(liability.liability.outstanding.liability),
            point_value=1 / programme.redeem_points_per_unit,
            earn_points_per_unit=programme.earn_points_per_unit,
            redemption_rate=redemption if breakage.forecast.issued > 0 else base.redemption_rate,
        )

    def _programme(self, uow: UnitOfWork) -> _Programme:
        compiled = self._ctx.programmes.compiled(uow)
        document = compiled.document
        return _Programme(
            currency=document.currency,
            zone=ZoneInfo(document.timezone),
            redeem_points_per_unit=document.redeem_points_per_unit,
            earn_points_per_unit=compiled.terms.earn_points_per_unit,
        )
