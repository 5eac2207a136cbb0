"""Lifetime values over HTTP: the fitted models and each member's scores."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from loyalo.application.analytics.clv import ClvFit, ClvOfMember, ClvPage, ClvQuery, MemberClv


class BgNbdOut(BaseModel):
    """Purchase rate ~ Gamma(r, alpha) per week; drop-out after a purchase ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class GammaGammaOut(BaseModel):
    """Spend per purchase ~ Gamma(p, nu), nu ~ Gamma(q, gamma) across members."""

    p: float
    q: float
    gamma: float
    log_likelihood: float


class ClvModelOut(BaseModel):
    as_of: date = Field(description="The observation period ends on this day (programme zone)")
    currency: str = Field(examples=["PLN"])
    time_unit: str = Field("week", description="Unit of recency, age and the BG/NBD rates")
    customers: int = Field(description="Members with at least one purchase: the BG/NBD fit")
    repeat_buyers: int = Field(description="Members with a repeat purchase: the Gamma-Gamma fit")
    horizon_months: int
    monthly_discount: float
    purchases: BgNbdOut
    spend: GammaGammaOut

    @classmethod
    def of(cls, fit: ClvFit, query: ClvQuery) -> ClvModelOut:
        bg, gg = fit.purchases, fit.spend
        return cls(
            as_of=fit.as_of,
            currency=fit.currency,
            customers=fit.customers,
            repeat_buyers=fit.repeat_buyers,
            horizon_months=query.horizon_months,
            monthly_discount=query.monthly_discount,
            purchases=BgNbdOut(
                r=bg.r, alpha=bg.alpha, a=bg.a, b=bg.b, log_likelihood=fit.purchases_log_likelihood
            ),
            spend=GammaGammaOut(
                p=gg.p, q=gg.q, gamma=gg.gamma, log_likelihood=fit.spend_log_likelihood
            ),
        )


class MemberClvOut(BaseModel):
    member_id: str
    repeat_purchases: int = Field(description="Purchase days after the first one")
    recency_weeks: float = Field(description="From the first purchase to the last")
    age_weeks: float = Field(description="From the first purchase to as_of")
    expected_purchases: float = Field(description="Expected purchases over the horizon")
    probability_alive: float = Field(description="P(still a customer) as of today")
    expected_spend: str = Field(description="Expected spend per purchase", examples=["42.10"])
    clv: str = Field(description="Discounted value of the horizon's purchases", examples=["97.35"])

    @classmethod
    def of(cls, member: MemberClv) -> MemberClvOut:
        return cls(
            member_id=member.member_id,
            repeat_purchases=member.repeat_purchases,
            recency_weeks=round(member.recency_weeks, 4),
            age_weeks=round(member.age_weeks, 4),
            expected_purchases=round(member.expected_purchases, 6),
            probability_alive=round(member.probability_alive, 6),
            expected_spend=str(member.expected_spend),
            clv=str(member.clv),
        )


class ClvRankingOut(BaseModel):
    model: ClvModelOut
    total: int = Field(description="Members scored")
    offset: int
    members: list[MemberClvOut] = Field(description="The highest CLV first")

    @classmethod
    def of(cls, page: ClvPage, offset: int) -> ClvRankingOut:
        return cls(
            model=ClvModelOut.of(page.fit, page.query),
            total=page.total,
            offset=offset,
            members=[MemberClvOut.of(m) for m in page.members],
        )


class MemberClvResponse(BaseModel):
    model: ClvModelOut
    member_id: str
    scored: bool = Field(description="False while the member has bought nothing: no CLV yet")
    clv: MemberClvOut | None

    @classmethod
    def of(cls, found: ClvOfMember) -> MemberClvResponse:
        member = found.member
        return cls(
            model=ClvModelOut.of(found.fit, found.query),
            member_id=found.member_id,
            scored=member is not None,
            clv=MemberClvOut.of(member) if member else None,
        )
