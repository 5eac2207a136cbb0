"""Breakage by issuing cohort: what became of each month's points, and what will.

Attribution. Points are followed per member, first in first out, as the ledger's
lots are spent: an earn (or an upward adjustment, or a cancelled redemption)
opens a layer in the month it happened; a redemption, an expiry or a downward
adjustment draws the oldest layers first; a return takes back the newest layer
first (it undoes a recent purchase). A draw beyond every layer is a debt that the
member's next credits settle before they open a layer, as ``movements.earn`` does.

Forecast. For each age k (whole months since the cohort's month) the development
rates are pooled over every cohort observed one month beyond k: the share of the
points outstanding at the end of age k that were redeemed (or expired) during age
k + 1. Each cohort's outstanding points are run forward, month by month, through
the rates of the ages it has not reached yet - past the oldest age observed, the
rates pooled over every age observed (one cohort's last month is too noisy to go
on with) - up to the horizon age; points still outstanding then
are counted as never redeemed (without expiry nothing else would ever call them
lost). Never redeemed = issued - ultimate redeemed: the forecast breakage.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.liability import EntryFlow, month_of, months_between

DEFAULT_HORIZON_MONTHS = 36


@dataclass(slots=True)
class CohortTally:
    """One issuing month's points, and per age what left them."""

    month: date
    issued: int = 0  # net of returns
    redeemed_by_age: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    expired_by_age: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    adjusted_by_age: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def outstanding_after(self, age: int) -> int:
        """Points still held at the end of ``age``."""
        gone = sum(
            points
            for ages in (self.redeemed_by_age, self.expired_by_age, self.adjusted_by_age)
            for at, points in ages.items()
            if at <= age
        )
        return self.issued - gone


@dataclass(slots=True)
class _Layer:
    month: date
    points: int


@dataclass(slots=True)
class _MemberPoints:
    layers: list[_Layer] = field(default_factory=list)  # oldest first
    debt: int = 0


class CohortBook:
    """Follows every member's points into their issuing cohorts."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._members: dict[str, _MemberPoints] = defaultdict(_MemberPoints)
        self.cohorts: dict[date, CohortTally] = {}

    def record(self, flow: EntryFlow) -> None:
        """Entries of one member must come in their journal order."""
        month = month_of(flow.occurred_at, self._zone)
        member = self._members[flow.member_id]
        gave_back = max(-flow.redeemed, 0) + max(-flow.expired, 0)  # cancellations
        self._credit(member, month, max(flow.issued, 0) + max(flow.adjusted, 0) + gave_back)
        if flow.issued < 0:
            self._take_back(member, -flow.issued)
        self._draw(member, month, max(flow.redeemed, 0), lambda t: t.redeemed_by_age)
        self._draw(member, month, max(flow.expired, 0), lambda t: t.expired_by_age)
        self._draw(member, month, max(-flow.adjusted, 0), lambda t: t.adjusted_by_age)

    def outstanding(self) -> int:
        return sum(layer.points for m in self._members.values() for layer in m.layers)

    def debt(self) -> int:
        return sum(m.debt for m in self._members.values())

    def _cohort(self, month: date) -> CohortTally:
        return self.cohorts.setdefault(month, CohortTally(month))

    def _credit(self, member: _MemberPoints, month: date, points: int) -> None:
        settled = min(points, member.debt)
        member.debt -= settled
        points -= settled
        if points <= 0:
            return
        self._cohort(month).issued += points
        if member.layers and member.layers[-1].month == month:
            member.layers[-1].points += points
        else:
            member.layers.append(_Layer(month, points))

    def _take_back(self, member: _MemberPoints, points: int) -> None:
        while points and member.layers:
            layer = member.layers[-1]
            take = min(layer.points, points)
            layer.points -= take
            self._cohort(layer.month).issued -= take
            points -= take
            if layer.points == 0:
                member.layers.pop()
        member.debt += points

    def _draw(
        self,
        member: _MemberPoints,
        month: date,
        points: int,
        outcome: Callable[[CohortTally], dict[int, int]],
    ) -> None:
        while points and member.layers:
            layer = member.layers[0]
            take = min(layer.points, points)
            layer.points -= take
            tally = self._cohort(layer.month)
            ages = outcome(tally)
            ages[months_between(layer.month, month)] += take
            points -= take
            if layer.points == 0:
                member.layers.pop(0)
        member.debt += points


@dataclass(frozen=True, slots=True)
class DevelopmentRate:
    """Of the points outstanding at the end of ``age``, the shares gone in the next month."""

    age: int
    outstanding: int  # pooled over the cohorts observed at age + 1
    redeemed_points: int  # of them, redeemed in the next month
    expired_points: int

    @property
    def redeemed(self) -> Decimal:
        return _share(self.redeemed_points, self.outstanding)

    @property
    def expired(self) -> Decimal:
        return _share(self.expired_points, self.outstanding)


@dataclass(frozen=True, slots=True)
class CohortAge:
    age: int
    redeemed_share: Decimal  # cumulative, of the cohort's issued points
    expired_share: Decimal
    outstanding_share: Decimal


@dataclass(frozen=True, slots=True)
class CohortForecast:
    month: date
    issued: int
    redeemed: int
    expired: int
    adjusted: int
    outstanding: int
    ages: tuple[CohortAge, ...]
    ultimate_redeemed: Decimal  # points, forecast
    never_redeemed: Decimal  # points: issued - ultimate redeemed

    @property
    def breakage_share(self) -> Decimal:
        return self.never_redeemed / self.issued if self.issued > 0 else Decimal(0)


@dataclass(frozen=True, slots=True)
class BreakageForecast:
    as_of_month: date
    horizon_months: int  # ages past it: never redeemed
    rates: tuple[DevelopmentRate, ...]
    cohorts: tuple[CohortForecast, ...]

    @property
    def issued(self) -> int:
        return sum(c.issued for c in self.cohorts)

    @property
    def never_redeemed(self) -> Decimal:
        return sum((c.never_redeemed for c in self.cohorts), Decimal(0))

    @property
    def ultimate_redemption_rate(self) -> Decimal:
        issued = self.issued
        if issued <= 0:
            return Decimal(0)
        return sum((c.ultimate_redeemed for c in self.cohorts), Decimal(0)) / issued

    @property
    def breakage_rate(self) -> Decimal:
        """Forecast share of issued points never redeemed."""
        return self.never_redeemed / self.issued if self.issued > 0 else Decimal(0)


def development_rates(cohorts: Iterable[CohortTally], as_of: date) -> tuple[DevelopmentRate, ...]:
    pooled: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for tally in cohorts:
        for age in range(months_between(tally.month, as_of)):
            sums = pooled[age]
            sums[0] += tally.outstanding_after(age)
            sums[1] += tally.redeemed_by_age.get(age + 1, 0)
            sums[2] += tally.expired_by_age.get(age + 1, 0)
    return tuple(DevelopmentRate(age, *pooled[age]) for age in sorted(pooled))


def _share(points: int, of: int) -> Decimal:
    return Decimal(points) / of if of > 0 else Decimal(0)


def tail_rate(rates: tuple[DevelopmentRate, ...]) -> DevelopmentRate:
    """The rates pooled over every age observed: they go on past the oldest age."""
    return DevelopmentRate(
        age=rates[-1].age + 1 if rates else 0,
        outstanding=sum(r.outstanding for r in rates),
        redeemed_points=sum(r.redeemed_points for r in rates),
        expired_points=sum(r.expired_points for r in rates),
    )


def _ultimate_redeemed_share(
    rates: tuple[DevelopmentRate, ...], from_age: int, horizon: int
) -> Decimal:
    """Of one point outstanding at the end of ``from_age``, the share redeemed by ``horizon``."""
    remaining, redeemed = Decimal(1), Decimal(0)
    tail = tail_rate(rates)
    for age in range(from_age, horizon):
        rate = rates[age] if age < len(rates) else tail
        redeemed += remaining * rate.redeemed
        remaining -= remaining * (rate.redeemed + rate.expired)
    return redeemed


def forecast(
    book: CohortBook, as_of: date, horizon_months: int = DEFAULT_HORIZON_MONTHS
) -> BreakageForecast:
    if horizon_months < 1:
        raise InvalidInput("the horizon must be at least one month", field="horizon_months")
    rates = development_rates(book.cohorts.values(), as_of)
    forecasts = tuple(
        _forecast_cohort(tally, rates, months_between(tally.month, as_of), horizon_months)
        for _, tally in sorted(book.cohorts.items())
        if tally.month <= as_of
    )
    return BreakageForecast(as_of, horizon_months, rates, forecasts)


def _forecast_cohort(
    tally: CohortTally, rates: tuple[DevelopmentRate, ...], latest_age: int, horizon: int
) -> CohortForecast:
    redeemed = sum(tally.redeemed_by_age.values())
    expired = sum(tally.expired_by_age.values())
    adjusted = sum(tally.adjusted_by_age.values())
    outstanding = tally.outstanding_after(latest_age)
    ultimate = redeemed + outstanding * _ultimate_redeemed_share(rates, latest_age, horizon)
    return CohortForecast(
        month=tally.month,
        issued=tally.issued,
        redeemed=redeemed,
        expired=expired,
        adjusted=adjusted,
        outstanding=outstanding,
        ages=tuple(_age(tally, age) for age in range(latest_age + 1)),
        ultimate_redeemed=ultimate,
        never_redeemed=tally.issued - ultimate,
    )


def _age(tally: CohortTally, age: int) -> CohortAge:
    def share(ages: dict[int, int]) -> Decimal:
        gone = sum(p for at, p in ages.items() if at <= age)
        return Decimal(gone) / tally.issued if tally.issued > 0 else Decimal(0)

    redeemed = share(tally.redeemed_by_age)
    expired = share(tally.expired_by_age)
    outstanding = (
        Decimal(tally.outstanding_after(age)) / tally.issued if tally.issued > 0 else Decimal(0)
    )
    return CohortAge(age, redeemed, expired, outstanding)
