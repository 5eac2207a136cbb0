"""The checkout quote: a basket in, what to apply and what it would earn out."""

from __future__ import annotations

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import MoneyOut
from loyalo.adapters.http.schemas.coupons import CouponVerdictOut
from loyalo.adapters.http.schemas.purchases import DiscountOut
from loyalo.application.purchases import Quote
from loyalo.domain.money import Money


class PointsOut(BaseModel):
    rule_id: str
    programme_version: int
    points: int
    description: str
    lines: dict[int, int] = Field(description="Receipt line → points attributed to it")


class StampsOut(BaseModel):
    rule_id: str
    card: str
    stamps: int
    goal: int
    reward: str


class RewardOut(BaseModel):
    rule_id: str
    reward: str
    description: str


class NotAppliedOut(BaseModel):
    rule_id: str
    reason: str


class QuoteOut(BaseModel):
    programme_version: int
    tier: str | None
    currency: str
    total: str
    discount: str = Field(description="Sum of the discounts the till should apply")
    to_pay: str
    discounts: list[DiscountOut]
    points_to_earn: int
    earnings: list[PointsOut]
    cashback_to_wallet: str
    stamps: list[StampsOut]
    rewards: list[RewardOut]
    not_applied: list[NotAppliedOut]
    available_points: int
    redeemable_points: int = Field(description="Points the member could spend on this basket")
    redeemable_value: MoneyOut
    coupons: list[CouponVerdictOut] = Field(
        default_factory=list, description="Each code sent, in order: applies or why not"
    )

    @classmethod
    def of(cls, quote: Quote, currency: str) -> QuoteOut:
        outcome = quote.outcome

        def money(minor: int) -> str:
            return str(Money(minor, currency))

        return cls(
            programme_version=outcome.version,
            tier=outcome.tier,
            currency=currency,
            total=money(quote.total_minor),
            discount=money(outcome.discount_minor),
            to_pay=money(quote.to_pay_minor),
            discounts=[
                DiscountOut(
                    rule_id=d.rule_id,
                    source=d.source.value,
                    amount=money(d.amount_minor),
                    description=d.description,
                    lines={i: money(v) for i, v in d.lines.items()},
                )
                for d in outcome.discounts
            ],
            points_to_earn=outcome.points,
            earnings=[
                PointsOut(
                    rule_id=a.rule_id,
                    programme_version=outcome.version,
                    points=a.points,
                    description=a.description,
                    lines=a.lines,
                )
                for a in outcome.awards
            ],
            cashback_to_wallet=money(sum(c.amount_minor for c in outcome.cashback)),
            stamps=[
                StampsOut(
                    rule_id=s.rule_id, card=s.card, stamps=s.stamps, goal=s.goal, reward=s.reward
                )
                for s in outcome.stamps
            ],
            rewards=[
                RewardOut(rule_id=r.rule_id, reward=r.reward, description=r.description)
                for r in outcome.rewards
            ],
            not_applied=[
                NotAppliedOut(rule_id=s.rule_id, reason=s.reason) for s in outcome.skipped
            ],
            available_points=quote.available_points,
            redeemable_points=quote.redeemable_points,
            redeemable_value=MoneyOut.of(quote.redeemable_value),
            coupons=[CouponVerdictOut.of(v, currency) for v in quote.coupons],
        )
