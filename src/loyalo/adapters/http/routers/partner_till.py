"""A partner's tills, with a partner key: look a member up, earn, return, spend
points, and read the partner's own transactions and settlement."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.routers.partners import (
    After,
    FromDay,
    Limit,
    ToDay,
    settlement_of,
    transactions_page,
)
from loyalo.adapters.http.schemas.checkout import QuoteOut
from loyalo.adapters.http.schemas.partners import (
    MemberAtTillOut,
    SettlementOut,
    TransactionsOut,
)
from loyalo.adapters.http.schemas.purchases import PurchaseIn, PurchaseOut, ReturnIn, ReturnOut
from loyalo.adapters.http.schemas.reservations import CommitIn, ReservationIn, ReservationOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import ReturnCommand, ReturnLineRequest
from loyalo.domain.access.roles import Capability
from loyalo.domain.partners.partner import own_store

router = APIRouter(prefix="/v1/partner", tags=["partner tills"])
TRADE = Capability.PARTNER_TRADE


@router.get(
    "/members/{identifier}",
    response_model=MemberAtTillOut,
    summary="A member by card (or any identifier): just enough to serve them",
)
def lookup(identifier: str, svc: ServicesDep, caller: CallerDep) -> MemberAtTillOut:
    partner_id = caller.require_partner(TRADE)
    with svc.ctx.uow() as uow:
        return MemberAtTillOut.of(svc.partners.till.lookup(uow, partner_id, identifier))


@router.post(
    "/checkout/quote",
    response_model=QuoteOut,
    summary="What the basket would earn at the partner's rate, and the points that could pay",
)
def quote(body: PurchaseIn, svc: ServicesDep, caller: CallerDep) -> QuoteOut:
    partner_id = caller.require_partner(TRADE)
    command = body.to_command()
    with svc.ctx.uow() as uow:
        result = svc.partners.till.quote(uow, partner_id, command)
    return QuoteOut.of(result, command.currency)


@router.post(
    "/purchases",
    status_code=201,
    response_model=PurchaseOut,
    summary="Record a sale at the partner: earns the partner's rate",
    responses={200: {"model": PurchaseOut, "description": "The receipt was already recorded"}},
)
def record_purchase(
    body: PurchaseIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    partner_id = caller.require_partner(TRADE)
    command = body.to_command()

    def action(uow: UnitOfWork) -> tuple[int, PurchaseOut]:
        result = svc.partners.till.record_purchase(uow, partner_id, command)
        out = PurchaseOut.of(result)
        out.store_id = own_store(partner_id, out.store_id) or out.store_id
        return (200 if result.replayed else 201), out

    return run_write(request, svc, caller, body, action)


@router.post(
    "/purchases/{purchase_id}/returns",
    status_code=201,
    response_model=ReturnOut,
    summary="Return goods of one of the partner's sales and take back their points",
)
def record_return(
    purchase_id: str, body: ReturnIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    partner_id = caller.require_partner(TRADE)
    lines = (
        None
        if body.lines is None
        else tuple(ReturnLineRequest(line.sku, line.quantity) for line in body.lines)
    )
    command = ReturnCommand(purchase_id, lines, body.occurred_at)

    def action(uow: UnitOfWork) -> tuple[int, ReturnOut]:
        return 201, ReturnOut.of(svc.partners.till.record_return(uow, partner_id, command))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/reservations",
    status_code=201,
    response_model=ReservationOut,
    summary="Hold points to pay at the partner's till",
)
def reserve(
    body: ReservationIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    partner_id = caller.require_partner(TRADE)
    with svc.ctx.uow() as uow:
        command = body.to_command(svc.ctx.terms_in(uow).currency)

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        return 201, ReservationOut.of(svc.partners.till.reserve(uow, partner_id, command))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/reservations/{reservation_id}/commit",
    response_model=ReservationOut,
    summary="Payment succeeded: spend the held points (all or part)",
)
def commit(
    reservation_id: str,
    request: Request,
    svc: ServicesDep,
    caller: CallerDep,
    body: CommitIn | None = None,
) -> JSONResponse:
    partner_id = caller.require_partner(TRADE)
    points = body.points if body else None

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        result = svc.partners.till.commit(uow, partner_id, reservation_id, points)
        return 200, ReservationOut.of(result)

    return run_write(request, svc, caller, body, action)


@router.post(
    "/reservations/{reservation_id}/release",
    response_model=ReservationOut,
    summary="Payment failed: give the held points back",
)
def release(
    reservation_id: str, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    partner_id = caller.require_partner(TRADE)

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        return 200, ReservationOut.of(svc.partners.till.release(uow, partner_id, reservation_id))

    return run_write(request, svc, caller, None, action)


@router.get("/transactions", response_model=TransactionsOut, summary="The calling partner's own")
def own_transactions(
    svc: ServicesDep,
    caller: CallerDep,
    from_day: Annotated[date | None, Query(alias="from")] = None,
    to_day: Annotated[date | None, Query(alias="to")] = None,
    limit: Limit = 100,
    after: After = None,
) -> TransactionsOut:
    partner_id = caller.require_partner(Capability.PARTNER_REPORTS)
    return transactions_page(svc, partner_id, from_day, to_day, limit, after)


@router.get("/settlement", response_model=SettlementOut, summary="The calling partner's settlement")
def own_settlement(
    from_day: FromDay, to_day: ToDay, svc: ServicesDep, caller: CallerDep
) -> SettlementOut:
    partner_id = caller.require_partner(Capability.PARTNER_REPORTS)
    return settlement_of(svc, partner_id, from_day, to_day)
