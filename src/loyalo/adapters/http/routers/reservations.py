"""Two-phase spending at the till: reserve, then commit or release."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.reservations import CommitIn, ReservationIn, ReservationOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.application.reservations import HoldResult
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/reservations", tags=["reservations"])


@router.post("", status_code=201, response_model=ReservationOut, summary="Hold points for a basket")
def reserve(
    body: ReservationIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.RESERVATIONS_WRITE)
    with svc.ctx.uow() as uow:
        command = body.to_command(svc.ctx.terms_in(uow).currency)

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        return 201, ReservationOut.of(svc.reservations.reserve(uow, command))

    return run_write(request, svc, caller, body, action)


@router.get("/{reservation_id}", response_model=ReservationOut, summary="A reservation")
def get_reservation(reservation_id: str, svc: ServicesDep, caller: CallerDep) -> ReservationOut:
    caller.require(Capability.RESERVATIONS_WRITE)
    with svc.ctx.uow() as uow:
        hold = svc.reservations.get(uow, reservation_id)
        balance = uow.ledger.balance(hold.member_id)
        value = svc.ctx.terms_in(uow).value_of_points(hold.committed_points or hold.points)
    return ReservationOut.of(HoldResult(hold, value, balance))


@router.post(
    "/{reservation_id}/commit",
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
    caller.require(Capability.RESERVATIONS_WRITE)
    points = body.points if body else None

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        return 200, ReservationOut.of(svc.reservations.commit(uow, reservation_id, points))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/{reservation_id}/release",
    response_model=ReservationOut,
    summary="Payment failed: give the held points back",
)
def release(
    reservation_id: str, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.RESERVATIONS_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, ReservationOut]:
        return 200, ReservationOut.of(svc.reservations.release(uow, reservation_id))

    return run_write(request, svc, caller, None, action)
