"""Shapes shared by several endpoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from loyalo.application.effects import Effect
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.money import Money

Amount = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, description='A money amount as a decimal string, e.g. "12.50"'),
]
MemberIdentifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=320,
        description=(
            "Any identifier of the member: `id:<uuid>`, `card:<number>`, `phone:+48…`, "
            "`email:<address>`, `ext:<external id>`, or the bare value"
        ),
        examples=["card:8900123456789012", "+48601234567", "ann@example.pl"],
    ),
]


def optional_text(value: Decimal | Money | None) -> str | None:
    """A decimal or an amount as its decimal string; None stays None."""
    return None if value is None else str(value)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BalanceOut(BaseModel):
    available: int = Field(description="Points the member can spend now")
    pending: int = Field(description="Earned, not yet spendable")
    held: int = Field(description="Reserved by open till holds")
    debt: int = Field(description="Points owed after returns of spent points (zero or negative)")

    @classmethod
    def of(cls, balance: MemberBalance) -> BalanceOut:
        return cls(
            available=balance.available,
            pending=balance.pending,
            held=balance.held,
            debt=balance.debt,
        )


class MoneyOut(BaseModel):
    amount: str = Field(examples=["10.00"])
    currency: str = Field(examples=["PLN"])

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=str(money), currency=money.currency)


class EffectOut(BaseModel):
    kind: str = Field(examples=["points_earned"])
    points: int
    description: str
    entry_id: str | None = None
    programme_version: int | None = None
    rule_id: str | None = None
    amount: str | None = Field(
        default=None,
        description="Money moved in the wallet (cashback effects), a decimal string",
        examples=["7.60"],
    )

    @classmethod
    def of(cls, effect: Effect) -> EffectOut:
        return cls(
            kind=effect.kind,
            points=effect.points,
            description=effect.description,
            entry_id=effect.entry_id,
            programme_version=effect.programme_version,
            rule_id=effect.rule_id,
            amount=str(effect.money) if effect.money else None,
        )


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["/problems/insufficient-points"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
