"""Credentials in, a ``Principal`` out: ``Authorization: Bearer <api key>``,
plus ``X-Member-Token`` when an app key acts for a member."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from loyalo.adapters.http.services import HttpServices
from loyalo.domain.access.roles import Principal

_bearer = HTTPBearer(auto_error=False, description="An API key: lyk_<id>_<secret>")
_member_token = APIKeyHeader(
    name="X-Member-Token",
    auto_error=False,
    description="For app keys: the member the call acts for (lym_<id>_<secret>)",
)


def services(request: Request) -> HttpServices:
    found: HttpServices = request.app.state.services
    return found


ServicesDep = Annotated[HttpServices, Depends(services)]


def principal(
    svc: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    member_token: Annotated[str | None, Security(_member_token)],
) -> Principal:
    api_key = credentials.credentials if credentials else None
    return svc.access.authenticate(api_key, member_token)


CallerDep = Annotated[Principal, Depends(principal)]
