"""What a coupon gives. A catalogue reward, a promo code and a rule's issued reward
all carry one of these; the till applies the first three, staff hand over the rest."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field, TypeAdapter, model_validator

from loyalo.domain.programme.document.base import Amount, Part, Percent, Slug


class DiscountScope(StrEnum):
    BASKET = "basket"  # every goods line (delivery excluded)
    CHEAPEST_LINE = "cheapest_line"  # one unit of the cheapest goods line
    PRODUCTS = "products"  # the lines whose SKU is in ``skus``


class DiscountBenefit(Part):
    """A percentage or an amount off, with an optional maximum (10% up to 9.00)."""

    type: Literal["discount"] = "discount"
    percent: Percent | None = None
    amount: Amount | None = None
    on: DiscountScope = DiscountScope.BASKET
    skus: list[str] = Field(default_factory=list)
    maximum: Amount | None = None
    """The most the discount takes off, whatever the basket."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give exactly one of 'percent' and 'amount'")
        if self.on is DiscountScope.PRODUCTS and not self.skus:
            raise ValueError("a discount on products names them in 'skus'")
        if self.on is not DiscountScope.PRODUCTS and self.skus:
            raise ValueError("'skus' is for a discount on products")
        return self


class FreeProductBenefit(Part):
    """``quantity`` units of ``sku`` free, when the basket has them."""

    type: Literal["free_product"] = "free_product"
    sku: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)


class FreeDeliveryBenefit(Part):
    type: Literal["free_delivery"] = "free_delivery"


class GiftBenefit(Part):
    """A gift handed over by staff (a tote bag, a cinema ticket)."""

    type: Literal["gift"] = "gift"
    description: str = ""


class EventInvitationBenefit(Part):
    """A seat at a closed event: the coupon is the ticket."""

    type: Literal["event_invitation"] = "event_invitation"
    event: Slug


class CharityBenefit(Part):
    """Points turned into a donation of ``amount`` to ``cause``."""

    type: Literal["charity"] = "charity"
    cause: Slug
    amount: Amount


class WalletCashbackBenefit(Part):
    """Money credited to the member's wallet."""

    type: Literal["wallet_cashback"] = "wallet_cashback"
    amount: Amount


class CustomBenefit(Part):
    """Anything else: the attributes say what, for the app or the till."""

    type: Literal["custom"] = "custom"
    attributes: dict[str, Any] = Field(default_factory=dict)


Benefit = Annotated[
    DiscountBenefit
    | FreeProductBenefit
    | FreeDeliveryBenefit
    | GiftBenefit
    | EventInvitationBenefit
    | CharityBenefit
    | WalletCashbackBenefit
    | CustomBenefit,
    Field(discriminator="type"),
]

TILL_BENEFITS = (DiscountBenefit, FreeProductBenefit, FreeDeliveryBenefit)
"""Benefits the till applies to a basket; the others are handed over or settled at once."""

_BENEFIT: TypeAdapter[Benefit] = TypeAdapter(Benefit)


def benefit_document(benefit: Benefit) -> dict[str, Any]:
    """The benefit as JSON-ready data (amounts as strings), to store or to send."""
    document: dict[str, Any] = _BENEFIT.dump_python(benefit, mode="json")
    return document


def benefit_of(document: Any) -> Benefit:
    return _BENEFIT.validate_python(document)
