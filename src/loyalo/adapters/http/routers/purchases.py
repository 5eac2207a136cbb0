"""Purchases and returns: what a till, e-shop or app posts after a sale."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.giftcards import (
    PurchaseWithGiftCardsIn,
    PurchaseWithGiftCardsOut,
    ReturnWithGiftCardsOut,
)
from loyalo.adapters.http.schemas.purchases import PurchaseOut, ReturnIn
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import (
    PurchaseResult,
    ReturnCommand,
    ReturnLineRequest,
)
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/purchases", tags=["purchases"])


@router.post(
    "",
    status_code=201,
    response_model=PurchaseWithGiftCardsOut,
    summary="Record a purchase and earn points",
    responses={
        200: {"model": PurchaseWithGiftCardsOut, "description": "The receipt was already recorded"}
    },
)
def record_purchase(
    body: PurchaseWithGiftCardsIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.PURCHASES_WRITE)
    command = body.to_command()
    tenders = body.tenders()

    def action(uow: UnitOfWork) -> tuple[int, PurchaseWithGiftCardsOut]:
        tendered = svc.gift_cards.record_purchase(uow, command, tenders)
        status = 200 if tendered.result.replayed else 201
        return status, PurchaseWithGiftCardsOut.of_tendered(tendered)

    return run_write(request, svc, caller, body, action)


@router.get("/{purchase_id}", response_model=PurchaseOut, summary="A recorded purchase")
def get_purchase(purchase_id: str, svc: ServicesDep, caller: CallerDep) -> PurchaseOut:
    caller.require(Capability.PURCHASES_WRITE)
    with svc.ctx.uow() as uow:
        purchase = svc.purchases.get(uow, purchase_id)
        balance = uow.ledger.balance(purchase.member_id)
    return PurchaseOut.of(PurchaseResult(purchase, balance, (), replayed=False))


@router.post(
    "/{purchase_id}/returns",
    status_code=201,
    response_model=ReturnWithGiftCardsOut,
    summary="Return lines of a purchase (or all of it) and take back their points",
)
def record_return(
    purchase_id: str, body: ReturnIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.PURCHASES_WRITE)
    lines = (
        None
        if body.lines is None
        else tuple(ReturnLineRequest(line.sku, line.quantity) for line in body.lines)
    )
    command = ReturnCommand(purchase_id, lines, body.occurred_at)

    def action(uow: UnitOfWork) -> tuple[int, ReturnWithGiftCardsOut]:
        return 201, ReturnWithGiftCardsOut.of_tendered(svc.gift_cards.record_return(uow, command))

    return run_write(request, svc, caller, body, action)
