"""Paid memberships over HTTP: a payment in; a member's plans, benefits and history out.

Days are the programme's local dates. A period's ``ends_on`` and ``benefits_until``
are exclusive: the first day not paid for, the first day without benefits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from loyalo.adapters.http.schemas.common import Amount, Strict
from loyalo.application.memberships.service import MembershipResult, MembershipsView, Standing
from loyalo.domain.memberships.subscription import MembershipEvent
from loyalo.domain.money import Money, currency_exponent
from loyalo.domain.programme.document.memberships import MembershipPlan
from loyalo.domain.programme.engine.arithmetic import units_to_minor

Status = Literal["active", "lapsed", "cancelled"]


def _money(amount: Decimal, currency: str) -> str:
    """An amount of the programme document as the API writes money: 9.0 in YAML is "9.00"."""
    return str(Money(units_to_minor(amount, currency_exponent(currency)), currency))


class MembershipPaymentIn(Strict):
    plan: str = Field(min_length=1, max_length=80, description="The plan's id", examples=["club"])
    amount: Amount = Field(description="What the member paid: the plan's fee", examples=["19.00"])
    currency: str = Field(min_length=3, max_length=3, examples=["PLN"])
    paid_at: AwareDatetime = Field(description="When the caller took the payment")
    payment_reference: str = Field(
        min_length=1,
        max_length=128,
        description="The payment's id in the caller's payment system: recorded once, for good",
        examples=["PAY-2026-000123"],
    )


class PeriodOut(BaseModel):
    starts_on: date
    ends_on: date = Field(description="Exclusive: the first day not paid for")


class PlanBenefitsOut(BaseModel):
    earn_multiplier: str = Field(examples=["2"])
    free_delivery: bool
    member_prices: dict[str, str] = Field(description="SKU -> the member's unit price")
    discount_percent: str | None
    discount_labels: list[str]
    discount_categories: list[str]

    @classmethod
    def of(cls, plan: MembershipPlan, currency: str) -> PlanBenefitsOut:
        benefits = plan.benefits
        percent = benefits.discount_percent
        prices = benefits.member_prices
        return cls(
            earn_multiplier=str(benefits.earn_multiplier),
            free_delivery=benefits.free_delivery,
            member_prices={sku: _money(price, currency) for sku, price in prices.items()},
            discount_percent=None if percent is None else str(percent),
            discount_labels=list(benefits.discount_labels),
            discount_categories=list(benefits.discount_categories),
        )


class MembershipOut(BaseModel):
    plan: str
    name: str | None = Field(description="None when the programme no longer has the plan")
    status: Status = Field(description="As of today: a grace passed unpaid reads as lapsed")
    gives_benefits: bool = Field(description="Its benefits apply to a purchase today")
    in_grace: bool = Field(description="The paid period is over; the renewal is awaited")
    period: Literal["month", "year"]
    current_period: PeriodOut
    benefits_until: date = Field(description="Exclusive: the first day without benefits")
    member_since: date = Field(description="The first day of this run of paid periods")
    periods_paid: int = Field(description="Periods paid since member_since")
    fee: str | None = Field(description="One period's fee in the programme's currency")
    benefits: PlanBenefitsOut | None

    @classmethod
    def of(cls, standing: Standing) -> MembershipOut:
        subscription, plan = standing.subscription, standing.plan
        return cls(
            plan=subscription.plan_id,
            name=plan.name if plan else None,
            status=standing.status.value,
            gives_benefits=standing.gives_benefits,
            in_grace=standing.in_grace,
            period=subscription.period.value,
            current_period=PeriodOut(
                starts_on=subscription.starts_on, ends_on=subscription.ends_on
            ),
            benefits_until=subscription.benefits_until,
            member_since=subscription.anchor_on,
            periods_paid=subscription.periods,
            fee=_money(plan.fee, standing.currency) if plan else None,
            benefits=PlanBenefitsOut.of(plan, standing.currency) if plan else None,
        )


class MembershipEventOut(BaseModel):
    event_id: str
    plan: str
    change: Literal["activated", "renewed", "cancelled", "lapsed"]
    effective_on: date = Field(description="The local day it took effect")
    recorded_at: datetime
    period: PeriodOut | None = Field(description="The period paid, or the one it ended")
    amount: str | None
    currency: str | None
    paid_at: datetime | None
    payment_reference: str | None
    programme_version: int
    actor: str | None

    @classmethod
    def of(cls, event: MembershipEvent) -> MembershipEventOut:
        period = None
        if event.starts_on is not None and event.ends_on is not None:
            period = PeriodOut(starts_on=event.starts_on, ends_on=event.ends_on)
        amount = None
        if event.amount_minor is not None and event.currency is not None:
            amount = str(Money(event.amount_minor, event.currency))
        return cls(
            event_id=event.event_id,
            plan=event.plan_id,
            change=event.change.value,
            effective_on=event.effective_on,
            recorded_at=event.recorded_at,
            period=period,
            amount=amount,
            currency=event.currency,
            paid_at=event.paid_at,
            payment_reference=event.payment_reference,
            programme_version=event.programme_version,
            actor=event.actor,
        )


class MembershipChangeOut(BaseModel):
    """What a payment or a cancellation did."""

    member_id: str
    change: Literal["activated", "renewed", "cancelled", "lapsed"]
    replayed: bool = Field(description="The payment reference was already recorded: nothing new")
    membership: MembershipOut
    event: MembershipEventOut

    @classmethod
    def of(cls, result: MembershipResult, standing: Standing) -> MembershipChangeOut:
        return cls(
            member_id=result.member_id,
            change=result.event.change.value,
            replayed=result.replayed,
            membership=MembershipOut.of(standing),
            event=MembershipEventOut.of(result.event),
        )


class MembershipsOut(BaseModel):
    member_id: str
    today: date = Field(description="The programme's local date the statuses are as of")
    active: MembershipOut | None = Field(description="The plan whose benefits apply today")
    memberships: list[MembershipOut] = Field(description="Every plan the member held")
    history: list[MembershipEventOut] = Field(description="Every period and change, oldest first")

    @classmethod
    def of(cls, view: MembershipsView) -> MembershipsOut:
        active = view.active
        return cls(
            member_id=view.member_id,
            today=view.today,
            active=MembershipOut.of(active) if active else None,
            memberships=[MembershipOut.of(standing) for standing in view.standings],
            history=[MembershipEventOut.of(event) for event in view.history],
        )
