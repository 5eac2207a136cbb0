"""The programme: read the version in force, apply a new one, list and compare versions."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.programme import DiffOut, ProgrammeOut, ProgrammeText, VersionOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.errors import InvalidProgramme

router = APIRouter(prefix="/v1/programme", tags=["programme"])

MAX_DOCUMENT_BYTES = 1_000_000

_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The programme document (docs/PROGRAMME.md, docs/programme.schema.json): "
            "JSON, or YAML text with `Content-Type: application/yaml`"
        ),
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
            return ProgrammeOut.built_in(active.document)
        return ProgrammeOut.full(svc.programmes.get(uow, active.version))


@router.put(
    "",
    status_code=201,
    response_model=ProgrammeOut,
    summary="Apply a programme document as a new version",
    description=(
        "201 with the new version; 200 with `changed: false` when the document equals the "
        "version in force. An invalid document is refused with `/problems/invalid-programme` "
        "and an `errors` list: each with the field `path`, the `message`, and the `line` and "
        "`column` in the text sent."
    ),
    openapi_extra=_BODY,
    responses={200: {"model": ProgrammeOut, "description": "Identical to the version in force"}},
)
async def apply(
    request: Request,
    svc: ServicesDep,
    caller: CallerDep,
    note: str | None = Query(default=None, max_length=500, description="Why this version"),
) -> JSONResponse:
    caller.require(Capability.PROGRAMME_WRITE)
    body = await request.body()
    return await run_in_threadpool(_apply, request, svc, caller, body, note)


def _apply(
    request: Request, svc: HttpServices, caller: Principal, body: bytes, note: str | None
) -> JSONResponse:
    if len(body) > MAX_DOCUMENT_BYTES:
        raise InvalidProgramme(f"the document is larger than {MAX_DOCUMENT_BYTES} bytes", errors=[])
    text = body.decode("utf-8", errors="replace")
    document = svc.parse_programme(text)  # before the transaction: a bad document writes nothing

    def action(uow: UnitOfWork) -> tuple[int, ProgrammeOut]:
        stored, changed = svc.programmes.apply(
            uow, document, source=text, actor=f"apikey:{caller.key_id}", note=note
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


@router.get(
    "/diff",
    response_model=DiffOut,
    summary="What changed between two versions",
    description="Rules and tiers are matched by id; version 0 is the built-in default.",
)
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
