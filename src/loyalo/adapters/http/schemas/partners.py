"""Partners over HTTP: agreements, keys, transactions, settlements, a till's lookup."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import MoneyOut, Strict
from loyalo.application.partners.ports import PartnerTransaction
from loyalo.application.partners.service import PartnerView
from loyalo.application.partners.till import MemberAtTill
from loyalo.domain.money import Money
from loyalo.domain.partners.partner import PartnerStatus, RateChange, Rates
from loyalo.domain.partners.settlement import Settlement

Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=24, decimal_places=6, description='Money per point, e.g. "0.045"'),
]


class RatesIn(Strict):
    earn_points_per_unit: Decimal = Field(
        ge=0,
        max_digits=24,
        decimal_places=6,
        description="Points a member earns per 1.00 spent at the partner",
        examples=["2"],
    )
    issue_price_per_point: Price = Field(
        description="What the partner pays the programme per point its sales issue",
        examples=["0.05"],
    )
    redeem_price_per_point: Price = Field(
        description="What the programme pays the partner per point redeemed at its tills",
        examples=["0.08"],
    )

    def to_rates(self) -> Rates:
        return Rates(
            self.earn_points_per_unit, self.issue_price_per_point, self.redeem_price_per_point
        )


class PartnerIn(Strict):
    partner_id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,23}$", description="A lower-case slug", examples=["fuelco"]
    )
    name: str = Field(min_length=1, max_length=200, examples=["FuelCo stations"])
    currency: str = Field(
        min_length=3, max_length=3, description="Of the prices and the settlement"
    )
    rates: RatesIn


class PartnerPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    status: PartnerStatus | None = Field(
        default=None, description="suspended: its tills can neither earn nor spend"
    )
    rates: RatesIn | None = None
    effective_from: date | None = Field(
        default=None,
        description="The first day (programme time zone) of the new rates; a future day. "
        "Omit it to change the rates from now.",
    )


class RatesOut(BaseModel):
    effective_from: datetime
    earn_points_per_unit: str
    issue_price_per_point: str
    redeem_price_per_point: str

    @classmethod
    def of(cls, change: RateChange) -> RatesOut:
        rates = change.rates
        return cls(
            effective_from=change.effective_from,
            earn_points_per_unit=str(rates.earn_points_per_unit),
            issue_price_per_point=str(rates.issue_price),
            redeem_price_per_point=str(rates.redeem_price),
        )


class PartnerOut(BaseModel):
    partner_id: str
    name: str
    status: PartnerStatus
    currency: str
    created_at: datetime
    updated_at: datetime
    rates: RatesOut = Field(description="The rates in force now")
    schedule: list[RatesOut] = Field(description="Every change of rates, oldest first")

    @classmethod
    def of(cls, view: PartnerView) -> PartnerOut:
        partner = view.partner
        return cls(
            partner_id=partner.partner_id,
            name=partner.name,
            status=partner.status,
            currency=partner.currency,
            created_at=partner.created_at,
            updated_at=partner.updated_at,
            rates=RatesOut.of(view.in_force),
            schedule=[RatesOut.of(change) for change in view.schedule],
        )


class PartnerKeyIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["FuelCo till 1"])


class PartnerKeyOut(BaseModel):
    key_id: str
    name: str
    partner_id: str
    role: str = "partner"
    key: str = Field(description="The secret key. Shown once: store it now.")


class TransactionOut(BaseModel):
    seq: int = Field(description="Order of recording; page with after=<seq>")
    transaction_id: str
    kind: str = Field(description="purchase, return, hold, commit or release")
    source_id: str = Field(description="The purchase, return or reservation id")
    member_id: str
    store_id: str | None
    receipt_id: str | None
    purchase_id: str | None
    points: int = Field(description="Earned, taken back, held, committed or released")
    amount: str | None = Field(description="Paid, returned, or the value of the points")
    currency: str
    occurred_at: datetime
    recorded_at: datetime

    @classmethod
    def of(cls, tx: PartnerTransaction) -> TransactionOut:
        return cls(
            seq=tx.seq or 0,
            transaction_id=tx.transaction_id,
            kind=tx.kind.value,
            source_id=tx.source_id,
            member_id=tx.member_id,
            store_id=tx.store_id,
            receipt_id=tx.receipt_id,
            purchase_id=tx.purchase_id,
            points=tx.points,
            amount=None if tx.amount_minor is None else str(Money(tx.amount_minor, tx.currency)),
            currency=tx.currency,
            occurred_at=tx.occurred_at,
            recorded_at=tx.recorded_at,
        )


class TransactionsOut(BaseModel):
    items: list[TransactionOut]
    next_after: int | None = Field(description="Pass as after= for the next page; null: no more")


class SettlementLineOut(BaseModel):
    movement: str = Field(description="issued, taken_back or redeemed")
    price_per_point: str
    points: int
    amount: str = Field(description="Exact points times price, before rounding")


class SettlementOut(BaseModel):
    partner_id: str
    currency: str
    from_day: date = Field(alias="from", serialization_alias="from")
    to_day: date = Field(alias="to", serialization_alias="to")
    points_issued: int = Field(description="Earned on the partner's sales")
    points_taken_back: int = Field(description="Taken back by returns of those sales")
    points_issued_net: int
    points_redeemed: int = Field(description="Spent at the partner's tills")
    owed_by_partner: str = Field(description="For the net points issued, at the issue prices")
    owed_to_partner: str = Field(description="For the points redeemed, at the redeem prices")
    net: str = Field(description="Positive: the partner pays the programme; negative: it is paid")
    lines: list[SettlementLineOut]

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, settlement: Settlement, first_day: date, last_day: date) -> SettlementOut:
        def money(minor: int) -> str:
            return str(Money(minor, settlement.currency))

        return cls(
            partner_id=settlement.partner_id,
            currency=settlement.currency,
            from_day=first_day,
            to_day=last_day,
            points_issued=settlement.points_issued,
            points_taken_back=settlement.points_taken_back,
            points_issued_net=settlement.points_issued_net,
            points_redeemed=settlement.points_redeemed,
            owed_by_partner=money(settlement.owed_by_partner_minor),
            owed_to_partner=money(settlement.owed_to_partner_minor),
            net=money(settlement.net_minor),
            lines=[
                SettlementLineOut(
                    movement=line.movement.value,
                    price_per_point=str(line.price),
                    points=line.points,
                    amount=str(line.amount),
                )
                for line in settlement.lines
            ],
        )


class MemberAtTillOut(BaseModel):
    member_id: str
    card_number: str
    first_name: str | None
    available_points: int
    available_value: MoneyOut = Field(description="What the available points pay")

    @classmethod
    def of(cls, member: MemberAtTill) -> MemberAtTillOut:
        return cls(
            member_id=member.member_id,
            card_number=member.card_number,
            first_name=member.first_name,
            available_points=member.available_points,
            available_value=MoneyOut.of(member.available_value),
        )
