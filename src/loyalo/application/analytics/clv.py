"""Each member's lifetime value, from the purchase history of every member.

BG/NBD and Gamma-Gamma are fitted on all members who bought (a population model, time
in weeks, days in the programme's time zone, the observation period ending today), and
each member is scored from their own frequency, recency, age and mean repeat spend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalo.application.context import AppContext
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.analytics.clv.bgnbd import BgNbdParameters
from loyalo.domain.analytics.clv.gamma_gamma import GammaGammaParameters
from loyalo.domain.analytics.clv.summary import RfmSummary, summarise
from loyalo.domain.analytics.clv.value import ClvModel, ClvScores, fit_model, score
from loyalo.domain.errors import InvalidInput, ModelNotEstimable
from loyalo.domain.money import currency_exponent


@dataclass(frozen=True, slots=True)
class ClvQuery:
    horizon_months: int = 12
    monthly_discount: float = 0.01


@dataclass(frozen=True, slots=True)
class MemberClv:
    """Over the horizon: expected purchases, P(alive) today, expected spend per purchase and
    the discounted value, in the programme currency; and what the member did so far."""

    member_id: str
    repeat_purchases: int
    recency_weeks: float
    age_weeks: float
    expected_purchases: float
    probability_alive: float
    expected_spend: Decimal
    clv: Decimal


@dataclass(frozen=True, slots=True)
class ClvFit:
    as_of: date
    currency: str
    purchases: BgNbdParameters
    purchases_log_likelihood: float
    spend: GammaGammaParameters
    spend_log_likelihood: float
    customers: int
    repeat_buyers: int


@dataclass(frozen=True, slots=True)
class ClvPage:
    fit: ClvFit
    query: ClvQuery
    total: int
    members: list[MemberClv]


@dataclass(frozen=True, slots=True)
class ClvOfMember:
    fit: ClvFit
    query: ClvQuery
    member_id: str
    member: MemberClv | None  # None: the member has bought nothing yet


@dataclass(frozen=True, slots=True)
class _Scored:
    fit: ClvFit
    members: list[MemberClv]


class ClvService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def ranking(self, uow: UnitOfWork, query: ClvQuery, limit: int, offset: int = 0) -> ClvPage:
        """Every member who bought, the highest CLV first (ties by member id)."""
        if limit < 1 or offset < 0:
            raise InvalidInput("limit is at least 1 and offset at least 0")
        scored = self._score_everyone(uow, query)
        ranked = sorted(scored.members, key=lambda m: (-m.clv, m.member_id))
        return ClvPage(scored.fit, query, len(ranked), ranked[offset : offset + limit])

    def values(self, query: ClvQuery | None = None) -> list[tuple[str, int]]:
        """Every member's discounted CLV in minor units (what the report's histogram draws).

        Raises ``ModelNotEstimable`` when the history cannot fit the models."""
        query = query or ClvQuery()
        with self._ctx.uow() as uow:
            scored = self._score_everyone(uow, query)
            scale = 10 ** currency_exponent(self._ctx.programmes.compiled(uow).document.currency)
        if not all(m.clv.is_finite() for m in scored.members):  # a degenerate fit
            raise ModelNotEstimable("the models give no finite value for every member")
        return [(m.member_id, int(m.clv * scale)) for m in scored.members]

    def of_member(self, uow: UnitOfWork, identifier: str, query: ClvQuery) -> ClvOfMember:
        member_id = resolve(uow, identifier).member_id
        scored = self._score_everyone(uow, query)
        found = next((m for m in scored.members if m.member_id == member_id), None)
        return ClvOfMember(scored.fit, query, member_id, found)

    def _score_everyone(self, uow: UnitOfWork, query: ClvQuery) -> _Scored:
        document = self._ctx.programmes.compiled(uow).document
        zone, currency = ZoneInfo(document.timezone), document.currency
        today = self._ctx.clock.now().astimezone(zone).date()
        scale = 10 ** currency_exponent(currency)
        rows = (
            (row.member_id, row.occurred_at.astimezone(zone).date(), row.amount_minor / scale)
            for row in uow.clv_purchases.purchase_values()
        )
        summary = summarise(rows, period_end=today)
        model = fit_model(summary)
        scores = score(model, summary, query.horizon_months, query.monthly_discount)
        fit = _describe(model, today, currency, summary)
        return _Scored(fit, list(_members(summary, scores, currency)))


def _describe(model: ClvModel, today: date, currency: str, summary: RfmSummary) -> ClvFit:
    return ClvFit(
        as_of=today,
        currency=currency,
        purchases=model.purchases.parameters,
        purchases_log_likelihood=model.purchases.log_likelihood,
        spend=model.spend.parameters,
        spend_log_likelihood=model.spend.log_likelihood,
        customers=len(summary),
        repeat_buyers=model.spend.customers,
    )


def _members(summary: RfmSummary, scores: ClvScores, currency: str) -> Iterator[MemberClv]:
    quantum = Decimal(1).scaleb(-currency_exponent(currency))
    for i, member_id in enumerate(summary.customer_ids):
        yield MemberClv(
            member_id=member_id,
            repeat_purchases=int(summary.frequency[i]),
            recency_weeks=float(summary.recency[i]),
            age_weeks=float(summary.age[i]),
            expected_purchases=float(scores.expected_purchases[i]),
            probability_alive=float(scores.probability_alive[i]),
            expected_spend=Decimal(float(scores.expected_spend[i])).quantize(quantum),
            clv=Decimal(float(scores.value[i])).quantize(quantum),
        )
