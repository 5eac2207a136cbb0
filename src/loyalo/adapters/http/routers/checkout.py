"""The checkout quote: what the till applies before the sale, written nowhere."""

from __future__ import annotations

from fastapi import APIRouter

from loyalo.adapters.http.schemas.checkout import QuoteOut
from loyalo.adapters.http.schemas.purchases import PurchaseIn
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])


@router.post(
    "/quote",
    response_model=QuoteOut,
    summary="Discounts to apply, points that could be spent and points it would earn",
    description="Send the basket exactly as the purchase will be sent: recording it afterwards "
    "gives the same discounts and points, unless the programme or the member changed meanwhile. "
    "Nothing is written; `receipt_id` may be anything.",
)
def quote(body: PurchaseIn, svc: ServicesDep, caller: CallerDep) -> QuoteOut:
    caller.require(Capability.PURCHASES_WRITE)
    command = body.to_command()
    with svc.ctx.uow() as uow:
        result = svc.purchases.quote(uow, command)
    return QuoteOut.of(result, command.currency)
