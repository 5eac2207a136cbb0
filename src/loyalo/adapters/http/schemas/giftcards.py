"""Gift cards over HTTP: the cards themselves, and the gift-card parts of a sale."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from loyalo.adapters.http.schemas.checkout import QuoteOut
from loyalo.adapters.http.schemas.common import Amount, Strict
from loyalo.adapters.http.schemas.purchases import PurchaseIn, PurchaseOut, ReturnOut
from loyalo.application.giftcards.service import CardStatement
from loyalo.application.giftcards.tender import (
    GiftCardPayment,
    GiftCardTender,
    TenderedPurchase,
    TenderedQuote,
    TenderedReturn,
)
from loyalo.domain.giftcards.card import GiftCard, display_code
from loyalo.domain.giftcards.movements import Movement
from loyalo.domain.money import Money

Pin = Annotated[str, Field(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits")]


class GiftCardIssueIn(Strict):
    amount: Amount = Field(description="The value loaded on the card, in the programme currency")
    pin: Pin | None = None
    valid_until: AwareDatetime | None = Field(
        default=None, description="After this moment the card can no longer pay; none: no expiry"
    )
    reference: str | None = Field(default=None, max_length=128, examples=["till-1 sale 4411"])
    store_id: str | None = Field(default=None, max_length=64)


class GiftCardLoadIn(Strict):
    amount: Amount
    reference: str | None = Field(default=None, max_length=128)


class GiftCardVoidIn(Strict):
    reason: str = Field(min_length=1, max_length=128, examples=["reported stolen"])


class GiftCardOut(BaseModel):
    code: str = Field(examples=["7QK2-M9XD-4HTC-PW3B"])
    currency: str
    initial_value: str
    balance: str
    status: str = Field(description="active or void")
    issued_at: datetime
    valid_until: datetime | None
    has_pin: bool

    @classmethod
    def of(cls, card: GiftCard) -> GiftCardOut:
        return cls(**_card_fields(card))


def _card_fields(card: GiftCard) -> dict[str, object]:
    return {
        "code": display_code(card.code),
        "currency": card.currency,
        "initial_value": str(Money(card.initial_minor, card.currency)),
        "balance": str(Money(card.balance_minor, card.currency)),
        "status": card.status.value,
        "issued_at": card.issued_at,
        "valid_until": card.valid_until,
        "has_pin": card.pin_hash is not None,
    }


class MovementOut(BaseModel):
    seq: int
    kind: str = Field(description="issue, load, redeem, refund or void")
    amount: str = Field(description="Signed: what the movement added to the balance")
    balance_after: str
    occurred_at: datetime
    channel: str | None
    store_id: str | None
    purchase_id: str | None
    return_id: str | None
    reference: str | None


class GiftCardStatementOut(GiftCardOut):
    movements: list[MovementOut] = Field(description="Oldest first")

    @classmethod
    def of_statement(cls, statement: CardStatement) -> GiftCardStatementOut:
        card = statement.card
        return cls(
            **_card_fields(card),
            movements=[_movement(m, card.currency) for m in statement.movements],
        )


def _movement(movement: Movement, currency: str) -> MovementOut:
    source = movement.source
    return MovementOut(
        seq=movement.seq,
        kind=movement.kind.value,
        amount=str(Money(movement.amount_minor, currency)),
        balance_after=str(Money(movement.balance_after_minor, currency)),
        occurred_at=movement.occurred_at,
        channel=source.channel,
        store_id=source.store_id,
        purchase_id=source.purchase_id,
        return_id=source.return_id,
        reference=source.reference,
    )


class GiftCardTenderIn(Strict):
    code: str = Field(min_length=1, max_length=40, examples=["7QK2-M9XD-4HTC-PW3B"])
    pin: Pin | None = None
    amount: Amount | None = Field(
        default=None,
        description="Exactly what this card pays (what the quote said): the purchase is refused "
        "if the card holds less. Omitted: as much as it can, up to what is left to pay",
    )


class PurchaseWithGiftCardsIn(PurchaseIn):
    gift_cards: list[GiftCardTenderIn] = Field(
        default_factory=list,
        max_length=10,
        description="Gift cards paying for the sale after all discounts, in this order",
    )

    def tenders(self) -> tuple[GiftCardTender, ...]:
        currency = self.currency.upper()
        return tuple(
            GiftCardTender(
                t.code,
                t.pin,
                None if t.amount is None else Money.parse(t.amount, currency).amount_minor,
            )
            for t in self.gift_cards
        )


class GiftCardPaymentOut(BaseModel):
    code: str
    amount: str = Field(description="What the card pays for this sale")
    balance_after: str


def _payments(payments: tuple[GiftCardPayment, ...], currency: str) -> list[GiftCardPaymentOut]:
    return [
        GiftCardPaymentOut(
            code=p.code,
            amount=str(Money(p.amount_minor, currency)),
            balance_after=str(Money(p.balance_after_minor, currency)),
        )
        for p in payments
    ]


class QuoteWithGiftCardsOut(QuoteOut):
    gift_cards: list[GiftCardPaymentOut] = Field(default_factory=list)
    to_pay_before_gift_cards: str = Field(description="Total less the programme's discounts")

    @classmethod
    def of_tendered(cls, tendered: TenderedQuote, currency: str) -> QuoteWithGiftCardsOut:
        base = QuoteOut.of(tendered.quote, currency).model_dump()
        base["to_pay_before_gift_cards"] = base["to_pay"]
        base["to_pay"] = str(Money(tendered.left_to_pay_minor, currency))
        return cls(**base, gift_cards=_payments(tendered.payments, currency))


class PurchaseWithGiftCardsOut(PurchaseOut):
    gift_cards: list[GiftCardPaymentOut] = Field(default_factory=list)
    left_to_pay: str = Field(description="What is left to pay after the gift cards")

    @classmethod
    def of_tendered(cls, tendered: TenderedPurchase) -> PurchaseWithGiftCardsOut:
        currency = tendered.result.purchase.currency
        return cls(
            **PurchaseOut.of(tendered.result).model_dump(),
            gift_cards=_payments(tendered.payments, currency),
            left_to_pay=str(Money(tendered.left_to_pay_minor, currency)),
        )


class GiftCardRefundOut(BaseModel):
    code: str
    amount: str = Field(description="The card's share of the value returned")
    refunded: bool = Field(description="False for a void or expired card: refund it another way")
    balance_after: str | None


class ReturnWithGiftCardsOut(ReturnOut):
    gift_card_refunds: list[GiftCardRefundOut] = Field(default_factory=list)

    @classmethod
    def of_tendered(cls, tendered: TenderedReturn) -> ReturnWithGiftCardsOut:
        currency = tendered.result.purchase.currency
        return cls(
            **ReturnOut.of(tendered.result).model_dump(),
            gift_card_refunds=[
                GiftCardRefundOut(
                    code=r.code,
                    amount=str(Money(r.amount_minor, currency)),
                    refunded=r.refunded,
                    balance_after=None
                    if r.balance_after_minor is None
                    else str(Money(r.balance_after_minor, currency)),
                )
                for r in tendered.refunds
            ],
        )
