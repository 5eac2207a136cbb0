"""The rewards catalogue: what members can redeem, redemptions, donations to causes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.common import BalanceOut
from loyalo.adapters.http.schemas.rewards import (
    CauseOut,
    DonationList,
    DonationOut,
    RedeemIn,
    RedemptionOut,
    RedemptionPage,
    RewardList,
    RewardOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.http.writes import run_write
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.application.rewards.redemptions import RedeemCommand
from loyalo.domain.access.roles import Capability, Principal, Role
from loyalo.domain.errors import Forbidden

router = APIRouter(tags=["rewards"])

Lang = Annotated[str | None, Query(max_length=16, description="Texts in this language")]
Channel = Annotated[
    str | None, Query(max_length=32, description="Check channel eligibility for this channel")
]
MemberQuery = Annotated[
    str | None, Query(max_length=320, description="Show what this member may redeem, and why not")
]


def _own(caller: Principal) -> str:
    if caller.member_id is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return f"id:{caller.member_id}"


def _viewer(
    caller: Principal, member: str | None, channel: str | None
) -> tuple[str | None, str | None]:
    """An app caller always sees their own view, on the app channel."""
    caller.require(Capability.REWARDS_READ)
    if caller.role is Role.APP:
        return _own(caller), "app"
    return member, channel


def _member_id(svc: HttpServices, caller: Principal, capability: Capability, member: str) -> str:
    caller.require(capability)
    with svc.ctx.uow() as uow:
        member_id = resolve(uow, member).member_id
    caller.require_member(capability, member_id)
    return member_id


@router.get(
    "/v1/rewards",
    response_model=RewardList,
    summary="The rewards catalogue; with a member, what they can afford and may redeem",
)
def catalogue(
    svc: ServicesDep,
    caller: CallerDep,
    member: MemberQuery = None,
    lang: Lang = None,
    channel: Channel = None,
) -> RewardList:
    member, channel = _viewer(caller, member, channel)
    with svc.ctx.uow() as uow:
        found = svc.rewards.catalogue(uow, member, channel)
        member_id = resolve(uow, member).member_id if member else None
        points = uow.ledger.balance(member_id).available if member_id else None
    return RewardList(
        member_id=member_id,
        available_points=points,
        items=[RewardOut.of(view, lang) for view in found],
    )


@router.get("/v1/rewards/{reward_id}", response_model=RewardOut, summary="One reward")
def reward(
    reward_id: str,
    svc: ServicesDep,
    caller: CallerDep,
    member: MemberQuery = None,
    lang: Lang = None,
    channel: Channel = None,
) -> RewardOut:
    member, channel = _viewer(caller, member, channel)
    with svc.ctx.uow() as uow:
        return RewardOut.of(svc.rewards.reward(uow, reward_id, member, channel), lang)


def _redeem(
    request: Request, svc: HttpServices, caller: Principal, member: str, body: RedeemIn
) -> JSONResponse:
    member_id = _member_id(svc, caller, Capability.REDEMPTIONS_WRITE, member)
    channel = "app" if caller.role is Role.APP else body.channel or caller.role.value
    command = RedeemCommand(
        member=f"id:{member_id}", reward_id=body.reward, channel=channel, actor=caller.name
    )

    def action(uow: UnitOfWork) -> tuple[int, RedemptionOut]:
        result = svc.rewards.redeem(uow, command)
        return 201, RedemptionOut.of(result.redemption, BalanceOut.of(result.balance))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/v1/members/{member}/redemptions",
    status_code=201,
    response_model=RedemptionOut,
    summary="Redeem a reward: burn its points and issue what it gives",
)
def redeem(
    member: str, body: RedeemIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return _redeem(request, svc, caller, member, body)


@router.post(
    "/v1/me/redemptions",
    status_code=201,
    response_model=RedemptionOut,
    summary="The member redeems a reward in the app",
)
def redeem_mine(
    body: RedeemIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return _redeem(request, svc, caller, _own(caller), body)


def _redemptions(
    svc: HttpServices, caller: Principal, member: str, limit: int, before: datetime | None
) -> RedemptionPage:
    member_id = _member_id(svc, caller, Capability.REWARDS_READ, member)
    with svc.ctx.uow() as uow:
        found = svc.rewards.redemptions(uow, member_id, limit, before)
    return RedemptionPage(
        items=[RedemptionOut.of(r) for r in found],
        next_before=found[-1].created_at if len(found) == limit else None,
    )


Limit = Annotated[int, Query(ge=1, le=200)]
Before = Annotated[datetime | None, Query(description="Redemptions made before this moment")]


@router.get(
    "/v1/members/{member}/redemptions",
    response_model=RedemptionPage,
    summary="A member's redemptions, newest first",
)
def redemptions(
    member: str, svc: ServicesDep, caller: CallerDep, limit: Limit = 50, before: Before = None
) -> RedemptionPage:
    return _redemptions(svc, caller, member, limit, before)


@router.get(
    "/v1/me/redemptions", response_model=RedemptionPage, summary="The member's own redemptions"
)
def my_redemptions(
    svc: ServicesDep, caller: CallerDep, limit: Limit = 50, before: Before = None
) -> RedemptionPage:
    return _redemptions(svc, caller, _own(caller), limit, before)


@router.get(
    "/v1/redemptions/{redemption_id}", response_model=RedemptionOut, summary="One redemption"
)
def get_redemption(redemption_id: str, svc: ServicesDep, caller: CallerDep) -> RedemptionOut:
    caller.require(Capability.REWARDS_READ)
    with svc.ctx.uow() as uow:
        found = svc.rewards.get(uow, redemption_id)
    caller.require_member(Capability.REWARDS_READ, found.member_id)
    return RedemptionOut.of(found)


@router.post(
    "/v1/redemptions/{redemption_id}/cancel",
    response_model=RedemptionOut,
    summary="Cancel a redemption whose coupon is unused: points, stock and limit given back",
)
def cancel(
    redemption_id: str, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.REDEMPTIONS_CANCEL)

    def action(uow: UnitOfWork) -> tuple[int, RedemptionOut]:
        result = svc.rewards.cancel(uow, redemption_id, caller.name)
        return 200, RedemptionOut.of(result.redemption, BalanceOut.of(result.balance))

    return run_write(request, svc, caller, None, action)


def _donations(svc: HttpServices, caller: Principal, member: str) -> DonationList:
    member_id = _member_id(svc, caller, Capability.REWARDS_READ, member)
    with svc.ctx.uow() as uow:
        found = svc.rewards.donations(uow, member_id)
    return DonationList(member_id=member_id, items=[DonationOut.of(d) for d in found])


@router.get(
    "/v1/members/{member}/donations",
    response_model=DonationList,
    summary="A member's donation receipts, oldest first",
)
def donations(member: str, svc: ServicesDep, caller: CallerDep) -> DonationList:
    return _donations(svc, caller, member)


@router.get(
    "/v1/me/donations", response_model=DonationList, summary="The member's own donation receipts"
)
def my_donations(svc: ServicesDep, caller: CallerDep) -> DonationList:
    return _donations(svc, caller, _own(caller))


@router.get(
    "/v1/charity/causes", response_model=list[CauseOut], summary="What each cause has received"
)
def causes(svc: ServicesDep, caller: CallerDep) -> list[CauseOut]:
    caller.require(Capability.CHARITY_READ)
    with svc.ctx.uow() as uow:
        return [CauseOut.of(total) for total in svc.rewards.causes(uow)]


@router.get("/v1/charity/causes/{cause}", response_model=CauseOut, summary="One cause's total")
def cause(cause: str, svc: ServicesDep, caller: CallerDep) -> CauseOut:
    caller.require(Capability.CHARITY_READ)
    with svc.ctx.uow() as uow:
        return CauseOut.of(svc.rewards.cause(uow, cause))
