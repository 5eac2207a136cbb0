"""The programme: read the version in force, apply a new one, list and compare versions."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.programme import DiffOut, ProgrammeOut, ProgrammeText, VersionOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability
from loyalo.domain.programme.stored import StoredProgramme

router = APIRouter(prefix="/v1/programme", tags=["programme"])

_BODY = {
    "requestBody": {
        "required": True,
        "description": "The programme document (docs/PROGRAMME.md, docs/programme.schema.json)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/yaml": {"schema": {"type": "string"}},
        },
    }
}


@router.get("", response_model=ProgrammeOut, summary="The programme in force")
def current(svc: ServicesDep, caller: CallerDep) -> ProgrammeOut:
    caller.require(Capability.PROGRAMME_READ)
    with svc.ctx.uow() as uow:
        active = svc.programmes.active(uow)
        if active.version == 0:
            default = StoredProgramme(0, active.document, "", "", datetime.now(UTC), "settings")
            return ProgrammeOut.full(default)
        return ProgrammeOut.full(svc.programmes.get(uow, active.version))


@router.put(
    "",
    status_code=201,
    response_model=ProgrammeOut,
    summary="Apply a programme document as a new version",
    openapi_extra=_BODY,
    responses={200: {"model": ProgrammeOut, "description": "Identical to the version in force"}},
)
async def apply(
    request: Request,
    svc: ServicesDep,
    caller: CallerDep,
    note: str | None = Query(default=None, max_length=500),
) -> JSONResponse:
    caller.require(Capability.PROGRAMME_WRITE)
    text = (await request.body()).decode("utf-8", errors="replace")
    document = svc.parse_programme(text)  # before the transaction: a bad document writes nothing

    def action(uow: UnitOfWork) -> tuple[int, ProgrammeOut]:
        stored, changed = svc.programmes.apply(
            uow, document, source=text, actor=caller.scope, note=note
        )
        return (201 if changed else 200), ProgrammeOut.full(stored, changed)

    return run_write(request, svc, caller, ProgrammeText(text=text, note=note), action)


@router.get("/versions", response_model=list[VersionOut], summary="Every version, newest first")
def versions(svc: ServicesDep, caller: CallerDep) -> list[VersionOut]:
    caller.require(Capability.PROGRAMME_READ)
    with svc.ctx.uow() as uow:
        return [VersionOut.of(stored) for stored in svc.programmes.versions(uow)]


@router.get("/versions/{version}", response_model=ProgrammeOut, summary="One version")
def version(version: int, svc: ServicesDep, caller: CallerDep) -> ProgrammeOut:
    caller.require(Capability.PROGRAMME_READ)
    with svc.ctx.uow() as uow:
        return ProgrammeOut.full(svc.programmes.get(uow, version))


@router.get("/diff", response_model=DiffOut, summary="What changed between two versions")
def diff(
    svc: ServicesDep,
    caller: CallerDep,
    from_version: int = Query(alias="from", ge=0),
    to_version: int = Query(alias="to", ge=0),
) -> DiffOut:
    caller.require(Capability.PROGRAMME_READ)
    with svc.ctx.uow() as uow:
        changes = svc.programmes.diff(uow, from_version, to_version)
    return DiffOut.of(from_version, to_version, changes)
