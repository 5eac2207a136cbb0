"""The finance endpoints' contract: points as integers, money and rates as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import MoneyOut
from loyalo.application.finance.service import BreakageReport, LiabilityReport
from loyalo.domain.finance.cohorts import CohortForecast, DevelopmentRate
from loyalo.domain.finance.liability import FlowTotals, MonthFlows

_RATE = Decimal("0.000001")
_POINTS = Decimal("0.01")


def rate(value: Decimal) -> str:
    return str(value.quantize(_RATE))


def points(value: Decimal) -> str:
    return str(value.quantize(_POINTS))


def month(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


class OutstandingOut(BaseModel):
    available: int
    pending: int
    held: int
    debt: int = Field(description="Points members owe after returns (zero or negative)")
    liability: int = Field(description="available + pending + held: what members may claim")


class TotalsOut(BaseModel):
    issued: int = Field(description="Points issued, net of those taken back by returns")
    redeemed: int = Field(description="Points redeemed, net of cancelled redemptions")
    expired: int
    adjusted: int = Field(description="Net points credited (+) or debited (-) by adjustments")
    breakage_rate: str = Field(description="expired ÷ issued", examples=["0.052000"])
    redemption_rate: str = Field(description="redeemed ÷ issued", examples=["0.611000"])

    @classmethod
    def of(cls, totals: FlowTotals) -> TotalsOut:
        return cls(
            issued=totals.issued,
            redeemed=totals.redeemed,
            expired=totals.expired,
            adjusted=totals.adjusted,
            breakage_rate=rate(totals.breakage_rate),
            redemption_rate=rate(totals.redemption_rate),
        )


class MonthOut(BaseModel):
    month: str = Field(examples=["2026-03"], description="On the programme's calendar")
    issued: int = Field(description="Points earned (gross)")
    taken_back: int = Field(description="Points taken back by returns")
    redeemed: int
    expired: int
    adjusted: int
    closing: int = Field(description="The members' accounts summed at the month's end")

    @classmethod
    def of(cls, row: MonthFlows) -> MonthOut:
        return cls(
            month=month(row.month),
            issued=row.issued,
            taken_back=row.taken_back,
            redeemed=row.redeemed,
            expired=row.expired,
            adjusted=row.adjusted,
            closing=row.closing,
        )


class LiabilityOut(BaseModel):
    as_of: datetime
    currency: str
    redeem_points_per_unit: str = Field(description="Points that pay 1.00", examples=["10"])
    points: OutstandingOut
    value: MoneyOut = Field(description="The liability points at the redemption rate")
    cost_of_redeemed: MoneyOut = Field(description="Every point redeemed, at the same rate")
    totals: TotalsOut
    months: list[MonthOut]

    @classmethod
    def of(cls, report: LiabilityReport) -> LiabilityOut:
        held = report.liability.outstanding
        return cls(
            as_of=report.liability.as_of,
            currency=report.currency,
            redeem_points_per_unit=str(report.liability.redeem_points_per_unit),
            points=OutstandingOut(
                available=held.available,
                pending=held.pending,
                held=held.held,
                debt=held.debt,
                liability=held.liability,
            ),
            value=MoneyOut.of(report.liability.value),
            cost_of_redeemed=MoneyOut.of(report.cost_of_redeemed),
            totals=TotalsOut.of(report.totals),
            months=[MonthOut.of(m) for m in report.months],
        )


class DevelopmentOut(BaseModel):
    age: int = Field(description="Whole months since the issuing month")
    outstanding: int = Field(description="Points outstanding at the age's end, pooled")
    redeemed_rate: str = Field(description="Share of them redeemed the next month")
    expired_rate: str = Field(description="Share of them expired the next month")

    @classmethod
    def of(cls, row: DevelopmentRate) -> DevelopmentOut:
        return cls(
            age=row.age,
            outstanding=row.outstanding,
            redeemed_rate=rate(row.redeemed),
            expired_rate=rate(row.expired),
        )


class CohortAgeOut(BaseModel):
    age: int
    redeemed_share: str
    expired_share: str
    outstanding_share: str


class CohortOut(BaseModel):
    month: str = Field(description="The issuing month")
    issued: int
    redeemed: int
    expired: int
    adjusted: int = Field(description="Debited by downward adjustments")
    outstanding: int
    ultimate_redeemed: str = Field(description="Points forecast ever to be redeemed")
    never_redeemed: str = Field(description="issued - ultimate_redeemed: forecast breakage")
    breakage_share: str
    ages: list[CohortAgeOut] = Field(description="Cumulative shares of issued, by age")

    @classmethod
    def of(cls, cohort: CohortForecast) -> CohortOut:
        return cls(
            month=month(cohort.month),
            issued=cohort.issued,
            redeemed=cohort.redeemed,
            expired=cohort.expired,
            adjusted=cohort.adjusted,
            outstanding=cohort.outstanding,
            ultimate_redeemed=points(cohort.ultimate_redeemed),
            never_redeemed=points(cohort.never_redeemed),
            breakage_share=rate(cohort.breakage_share),
            ages=[
                CohortAgeOut(
                    age=a.age,
                    redeemed_share=rate(a.redeemed_share),
                    expired_share=rate(a.expired_share),
                    outstanding_share=rate(a.outstanding_share),
                )
                for a in cohort.ages
            ],
        )


class ForecastOut(BaseModel):
    breakage_rate: str = Field(description="Forecast share of issued points never redeemed")
    ultimate_redemption_rate: str
    never_redeemed_points: str
    never_redeemed_value: MoneyOut


class BreakageOut(BaseModel):
    as_of: datetime
    horizon_months: int = Field(description="Points outstanding at this age count as lost")
    currency: str
    observed: TotalsOut
    forecast: ForecastOut
    method: str
    development: list[DevelopmentOut]
    cohorts: list[CohortOut]

    @classmethod
    def of(cls, report: BreakageReport) -> BreakageOut:
        result = report.forecast
        return cls(
            as_of=report.as_of,
            horizon_months=result.horizon_months,
            currency=report.currency,
            observed=TotalsOut.of(report.totals),
            forecast=ForecastOut(
                breakage_rate=rate(result.breakage_rate),
                ultimate_redemption_rate=rate(result.ultimate_redemption_rate),
                never_redeemed_points=points(result.never_redeemed),
                never_redeemed_value=MoneyOut.of(report.never_redeemed_value),
            ),
            method=(
                "Points followed per member first in first out into monthly issuing cohorts; "
                "pooled monthly development rates by age, and past the oldest age the rates "
                "pooled over all ages, up to the horizon; what is outstanding then counts as "
                "never redeemed "
                "(docs/METRICS.md, Liability and breakage)"
            ),
            development=[DevelopmentOut.of(r) for r in result.rates],
            cohorts=[CohortOut.of(c) for c in result.cohorts],
        )
