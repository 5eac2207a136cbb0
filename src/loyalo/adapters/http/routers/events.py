"""Events from any channel: reviews, referrals, sign-ups, check-ins, custom names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.events import EventIn, EventOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.post(
    "",
    status_code=201,
    response_model=EventOut,
    summary="Record a member's event; the programme's event rules decide what it earns",
    responses={200: {"model": EventOut, "description": "This event_key was already recorded"}},
)
def record_event(
    body: EventIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.EVENTS_WRITE)
    command = body.to_command()

    def action(uow: UnitOfWork) -> tuple[int, EventOut]:
        result = svc.events.record(uow, command)
        return (200 if result.replayed else 201), EventOut.of(result)

    return run_write(request, svc, caller, body, action)
