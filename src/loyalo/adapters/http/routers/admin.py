"""Administration over HTTP: API keys, created, listed and revoked."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import Strict
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.application.ports import ApiKeyRecord
from loyalo.domain.access.roles import Capability, Role
from loyalo.domain.errors import Forbidden, InvalidInput

router = APIRouter(prefix="/v1/api-keys", tags=["administration"])


class ApiKeyIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Till 1"])
    role: Role


class ApiKeyOut(BaseModel):
    key_id: str
    name: str
    role: Role
    key: str = Field(description="The secret key. Shown once: store it now.")


@router.post("", status_code=201, response_model=ApiKeyOut, summary="Create an API key (admin)")
def create_key(body: ApiKeyIn, svc: ServicesDep, caller: CallerDep) -> ApiKeyOut:
    caller.require(Capability.TOKENS_ISSUE)
    if caller.role is not Role.ADMIN:  # pragma: no cover - TOKENS_ISSUE is admin-only
        raise Forbidden("only an admin creates keys")
    if body.role is Role.PARTNER:  # a partner key needs its partner
        raise InvalidInput("a partner key is made with POST /v1/partners/{id}/keys", field="role")
    issued = svc.access.create_key(body.name, body.role)
    return ApiKeyOut(key_id=issued.record_id, name=body.name, role=body.role, key=issued.token)


class ApiKeyInfo(BaseModel):
    key_id: str
    name: str
    role: Role
    partner_id: str | None = Field(description="The partner a partner key acts for")
    created_at: datetime
    revoked_at: datetime | None = Field(description="Set once revoked: the key is refused")

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKeyInfo:
        return cls(
            key_id=record.key_id,
            name=record.name,
            role=record.role,
            partner_id=record.partner_id,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
        )


@router.get("", response_model=list[ApiKeyInfo], summary="Every API key, never its secret (admin)")
def list_keys(svc: ServicesDep, caller: CallerDep) -> list[ApiKeyInfo]:
    caller.require(Capability.TOKENS_ISSUE)
    return [ApiKeyInfo.of(record) for record in svc.access.api_keys()]


@router.post(
    "/{key_id}/revoke",
    response_model=ApiKeyInfo,
    summary="Revoke an API key (admin)",
    description="From then on the key is refused with 401 (by every server process within "
    "30 seconds, the time a key is cached). Revoking a revoked key changes nothing; a key "
    "cannot revoke itself.",
)
def revoke_key(key_id: str, svc: ServicesDep, caller: CallerDep) -> ApiKeyInfo:
    return ApiKeyInfo.of(svc.access.revoke_key(caller, key_id))
