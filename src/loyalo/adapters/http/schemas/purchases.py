"""Purchases and returns over HTTP."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from loyalo.adapters.http.schemas.common import (
    Amount,
    BalanceOut,
    EffectOut,
    MemberIdentifier,
    Strict,
)
from loyalo.adapters.http.schemas.coupons import CODES_FIELD, CodeText
from loyalo.application.purchases import PurchaseCommand, PurchaseResult, ReturnResult
from loyalo.domain.money import Money
from loyalo.domain.purchases.basket import Line

Channel = Literal["pos", "online", "app"]


class LineIn(Strict):
    sku: str = Field(min_length=1, max_length=64, examples=["123"])
    name: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=100)
    quantity: int = Field(gt=0, le=1_000_000)
    unit_price: Amount
    discount: Amount = Field(default=Decimal(0), description="Discount on the whole line")
    labels: list[str] = Field(default_factory=list, max_length=50, examples=[["red"]])
    delivery: bool = Field(default=False, description="A delivery charge rather than goods")

    def to_line(self, currency: str) -> Line:
        return Line(
            sku=self.sku,
            quantity=self.quantity,
            unit_price_minor=Money.parse(self.unit_price, currency).amount_minor,
            discount_minor=Money.parse(self.discount, currency).amount_minor,
            name=self.name,
            category=self.category,
            labels=tuple(self.labels),
            delivery=self.delivery,
        )


class PurchaseIn(Strict):
    member: MemberIdentifier
    channel: Channel
    store_id: str = Field(min_length=1, max_length=64, examples=["waw-01"])
    receipt_id: str = Field(
        min_length=1, max_length=128, description="Unique per store: a resend never earns twice"
    )
    occurred_at: AwareDatetime
    currency: str = Field(min_length=3, max_length=3, examples=["PLN"])
    lines: list[LineIn] = Field(min_length=1, max_length=1000)
    total: Amount = Field(description="Must equal the sum of the line totals")
    codes: list[CodeText] = CODES_FIELD

    def to_command(self) -> PurchaseCommand:
        currency = self.currency.upper()
        return PurchaseCommand(
            member=self.member,
            store_id=self.store_id,
            receipt_id=self.receipt_id,
            channel=self.channel,
            occurred_at=self.occurred_at,
            currency=currency,
            total_minor=Money.parse(self.total, currency).amount_minor,
            lines=tuple(line.to_line(currency) for line in self.lines),
            codes=tuple(self.codes),
        )


class DiscountOut(BaseModel):
    rule_id: str = Field(description="The rule, or tier:<id> for a tier benefit")
    source: str = Field(description="tier, promotion, progressive or coupon")
    amount: str
    description: str
    lines: dict[int, str] = Field(default_factory=dict, description="Receipt line → amount off")


class LineOut(BaseModel):
    line: int
    sku: str
    name: str | None
    category: str | None
    labels: list[str]
    delivery: bool
    quantity: int
    unit_price: str
    discount: str
    total: str


class PurchaseOut(BaseModel):
    purchase_id: str
    member_id: str
    store_id: str
    receipt_id: str
    channel: str
    occurred_at: datetime
    currency: str
    total: str
    programme_discount: str = Field(description="The programme's discounts, for the till to apply")
    to_pay: str = Field(description="Total less the programme's discounts")
    discounts: list[DiscountOut]
    programme_version: int | None
    lines: list[LineOut]
    points_earned: int
    balance: BalanceOut
    effects: list[EffectOut]
    replayed: bool = Field(description="True when this receipt had already been recorded")

    @classmethod
    def of(cls, result: PurchaseResult) -> PurchaseOut:
        p = result.purchase

        def money(minor: int) -> str:
            return str(Money(minor, p.currency))

        return cls(
            purchase_id=p.purchase_id,
            member_id=p.member_id,
            store_id=p.store_id,
            receipt_id=p.receipt_id,
            channel=p.channel,
            occurred_at=p.occurred_at,
            currency=p.currency,
            total=money(p.total_minor),
            programme_discount=money(p.discount_minor),
            to_pay=money(p.paid_minor),
            discounts=[
                DiscountOut(
                    rule_id=d.rule_id,
                    source=d.source,
                    amount=money(d.amount_minor),
                    description=d.description,
                )
                for d in p.discounts
            ],
            programme_version=p.programme_version,
            lines=[
                LineOut(
                    line=i,
                    sku=line.sku,
                    name=line.name,
                    category=line.category,
                    labels=list(line.labels),
                    delivery=line.delivery,
                    quantity=line.quantity,
                    unit_price=money(line.unit_price_minor),
                    discount=money(line.discount_minor),
                    total=money(line.total_minor),
                )
                for i, line in enumerate(p.lines)
            ],
            points_earned=p.points_earned,
            balance=BalanceOut.of(result.balance),
            effects=[EffectOut.of(e) for e in result.effects],
            replayed=result.replayed,
        )


class ReturnLineIn(Strict):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(gt=0)


class ReturnIn(Strict):
    lines: list[ReturnLineIn] | None = Field(
        default=None, description="What comes back; omit to return the whole receipt"
    )
    occurred_at: AwareDatetime | None = None


class ReturnOut(BaseModel):
    return_id: str
    purchase_id: str
    member_id: str
    value: str
    currency: str
    points_taken: int
    debt_recorded: int = Field(description="Points already spent, now owed by the member")
    lines: dict[int, int] = Field(description="Receipt line → quantity returned")
    balance: BalanceOut
    effects: list[EffectOut]

    @classmethod
    def of(cls, result: ReturnResult) -> ReturnOut:
        record = result.record
        return cls(
            return_id=record.return_id,
            purchase_id=record.purchase_id,
            member_id=result.purchase.member_id,
            value=str(Money(record.value_minor, result.purchase.currency)),
            currency=result.purchase.currency,
            points_taken=record.points_taken,
            debt_recorded=record.debt_points,
            lines=record.line_quantities,
            balance=BalanceOut.of(result.balance),
            effects=[EffectOut.of(e) for e in result.effects],
        )
