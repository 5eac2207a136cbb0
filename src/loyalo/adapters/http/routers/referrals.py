"""Referrals: a member's code and link, the friends they brought, a code checked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loyalo.adapters.http.schemas.referrals import (
    FriendOut,
    FriendPage,
    ReferralCodeOut,
    ReferralOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.application.members import resolve
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.errors import Forbidden
from loyalo.domain.referrals.codes import normalize_referral_code

router = APIRouter(tags=["referrals"])


def referral_of(svc: HttpServices, caller: Principal, member: str) -> ReferralOut:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERS_READ, found.member_id)
        summary = svc.referrals.summary(uow, f"id:{found.member_id}")
        uow.commit()  # a member enrolled before referrals gets a code on first use
    return ReferralOut.of(summary)


@router.get(
    "/v1/members/{member}/referral",
    response_model=ReferralOut,
    summary="The member's referral code, link and counts",
)
def member_referral(member: str, svc: ServicesDep, caller: CallerDep) -> ReferralOut:
    return referral_of(svc, caller, member)


@router.get(
    "/v1/me/referral",
    response_model=ReferralOut,
    tags=["member app"],
    summary="The member's own referral code, link and counts",
)
def my_referral(svc: ServicesDep, caller: CallerDep) -> ReferralOut:
    if caller.member_id is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return referral_of(svc, caller, f"id:{caller.member_id}")


@router.get(
    "/v1/members/{member}/referrals",
    response_model=FriendPage,
    summary="The friends the member referred, newest first, masked",
)
def member_friends(
    member: str,
    svc: ServicesDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FriendPage:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERS_READ, found.member_id)
        friends = svc.referrals.friends(uow, f"id:{found.member_id}", limit)
    return FriendPage(items=[FriendOut.of(friend) for friend in friends])


@router.get(
    "/v1/referral-codes/{code}",
    response_model=ReferralCodeOut,
    summary="Check a referral code before enrolment (404 unknown-referral-code)",
)
def check_code(code: str, svc: ServicesDep, caller: CallerDep) -> ReferralCodeOut:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        svc.referrals.advocate_of_code(uow, code)
    return ReferralCodeOut(code=normalize_referral_code(code) or code)
