"""The checkout quote: what the till applies before the sale, written nowhere."""

from __future__ import annotations

from fastapi import APIRouter

from loyalo.adapters.http.schemas.giftcards import PurchaseWithGiftCardsIn, QuoteWithGiftCardsOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])


@router.post(
    "/quote",
    response_model=QuoteWithGiftCardsOut,
    summary="Discounts to apply, points that could be spent and points it would earn",
    description="Send the basket exactly as the purchase will be sent: recording it afterwards "
    "gives the same discounts and points, unless the programme or the member changed meanwhile. "
    "Nothing is written; `receipt_id` may be anything. With `gift_cards`, each card's payment "
    "and balance after are shown and `to_pay` is what is left after them.",
)
def quote(
    body: PurchaseWithGiftCardsIn, svc: ServicesDep, caller: CallerDep
) -> QuoteWithGiftCardsOut:
    caller.require(Capability.PURCHASES_WRITE)
    command = body.to_command()
    with svc.ctx.uow() as uow:
        result = svc.gift_cards.quote(uow, command, body.tenders())
    return QuoteWithGiftCardsOut.of_tendered(result, command.currency)
