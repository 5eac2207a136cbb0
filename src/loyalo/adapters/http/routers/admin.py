"""Administration over HTTP: API keys."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import Strict
from loyalo.adapters.http.security import CallerDep, ServicesDep
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
