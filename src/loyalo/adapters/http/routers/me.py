"""Member-facing calls for the app: the member is the one the token names."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.routers.ledger import balance_of, ledger_of
from loyalo.adapters.http.routers.memberships import cancel_for, memberships_of
from loyalo.adapters.http.routers.tiers import tier_of
from loyalo.adapters.http.schemas.ledger import BalanceView, LedgerPage
from loyalo.adapters.http.schemas.members import MemberOut
from loyalo.adapters.http.schemas.memberships import MembershipChangeOut, MembershipsOut
from loyalo.adapters.http.schemas.tiers import TierView
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.domain.access.roles import Capability
from loyalo.domain.errors import Forbidden

router = APIRouter(prefix="/v1/me", tags=["member app"])


def _own_member(caller_member: str | None) -> str:
    if caller_member is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return f"id:{caller_member}"


@router.get("", response_model=MemberOut, summary="The member's own profile and card")
def me(svc: ServicesDep, caller: CallerDep) -> MemberOut:
    member = _own_member(caller.member_id)
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = svc.members.get(uow, member)
        return MemberOut.of(found, uow.ledger.balance(found.member_id))


@router.get("/balance", response_model=BalanceView, summary="The member's own balances")
def my_balance(svc: ServicesDep, caller: CallerDep) -> BalanceView:
    return balance_of(svc, caller, _own_member(caller.member_id))


@router.get("/ledger", response_model=LedgerPage, summary="The member's own history")
def my_ledger(
    svc: ServicesDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> LedgerPage:
    return ledger_of(svc, caller, _own_member(caller.member_id), limit, before)


@router.get(
    "/tier", response_model=TierView, summary="The member's own tier and progress to the next"
)
def my_tier(svc: ServicesDep, caller: CallerDep) -> TierView:
    return tier_of(svc, caller, _own_member(caller.member_id))


@router.get(
    "/memberships",
    response_model=MembershipsOut,
    summary="The member's own paid memberships and their history",
)
def my_memberships(svc: ServicesDep, caller: CallerDep) -> MembershipsOut:
    return memberships_of(svc, caller, _own_member(caller.member_id))


@router.post(
    "/memberships/{plan}/cancel",
    response_model=MembershipChangeOut,
    summary="The member cancels their own plan: it lasts to the end of the paid period",
)
def cancel_my_membership(
    plan: str, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return cancel_for(svc, caller, request, _own_member(caller.member_id), plan)
