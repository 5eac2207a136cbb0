"""Wallet passes: the member's card for Apple Wallet (.pkpass) and Google Wallet (save link).

Reads, not writes: each call signs a fresh card showing the balance and tier of now.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from loyalo.adapters.http.schemas.common import ProblemOut
from loyalo.adapters.http.schemas.passes import PKPASS_MEDIA_TYPE, GooglePassOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.application.members import resolve
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.errors import Forbidden

router = APIRouter(prefix="/v1", tags=["wallet passes"])

NOT_CONFIGURED: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ProblemOut,
        "description": "A refusal (problem+json); `/problems/passes-not-configured`: "
        "this server has no key for that wallet",
    }
}
_PKPASS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {PKPASS_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The signed .pkpass: a zip of pass.json, images, manifest and signature",
    }
}
NO_STORE = {"Cache-Control": "no-store"}  # a person's card and balance


def apple_pass_of(svc: HttpServices, caller: Principal, member: str) -> Response:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERS_READ, found.member_id)
        caller.require_member(Capability.BALANCE_READ, found.member_id)
        package = svc.passes.apple_pass(uow, found)
    return Response(
        package,
        media_type=PKPASS_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{found.card_number}.pkpass"',
            **NO_STORE,
        },
    )


def google_pass_of(
    svc: HttpServices, caller: Principal, member: str, response: Response
) -> GooglePassOut:
    response.headers.update(NO_STORE)
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERS_READ, found.member_id)
        caller.require_member(Capability.BALANCE_READ, found.member_id)
        return GooglePassOut.of(svc.passes.google_pass(uow, found))


def _own_member(caller: Principal) -> str:
    if caller.member_id is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return f"id:{caller.member_id}"


@router.get(
    "/members/{member}/wallet/apple",
    summary="The member's Apple Wallet card (.pkpass)",
    response_class=Response,
    responses={**_PKPASS_RESPONSE, **NOT_CONFIGURED},
)
def apple_pass(member: str, svc: ServicesDep, caller: CallerDep) -> Response:
    return apple_pass_of(svc, caller, member)


@router.get(
    "/members/{member}/wallet/google",
    response_model=GooglePassOut,
    summary="The member's Google Wallet card: class, object and the signed save link",
    responses=NOT_CONFIGURED,
)
def google_pass(
    member: str, response: Response, svc: ServicesDep, caller: CallerDep
) -> GooglePassOut:
    return google_pass_of(svc, caller, member, response)


@router.get(
    "/me/wallet/apple",
    summary="The member's own Apple Wallet card (.pkpass)",
    response_class=Response,
    responses={**_PKPASS_RESPONSE, **NOT_CONFIGURED},
)
def my_apple_pass(svc: ServicesDep, caller: CallerDep) -> Response:
    return apple_pass_of(svc, caller, _own_member(caller))


@router.get(
    "/me/wallet/google",
    response_model=GooglePassOut,
    summary="The member's own Google Wallet card and save link",
    responses=NOT_CONFIGURED,
)
def my_google_pass(response: Response, svc: ServicesDep, caller: CallerDep) -> GooglePassOut:
    return google_pass_of(svc, caller, _own_member(caller), response)
