"""Members: enrol, look up by any identifier, search, update, cards, tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.members import (
    MemberOut,
    MemberPage,
    MemberPatch,
    MemberTokenIn,
    MemberTokenOut,
)
from loyalo.adapters.http.schemas.referrals import EnrolledOut, EnrolmentReferralOut, MemberEnrolIn
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.members import MemberDraft, resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/members", tags=["members"])


@router.post("", status_code=201, response_model=EnrolledOut, summary="Enrol a member")
def enrol(
    body: MemberEnrolIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.MEMBERS_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, EnrolledOut]:
        draft = MemberDraft(**body.model_dump(exclude={"referral_code"}))
        member = svc.members.enrol(uow, draft, referral_code=body.referral_code)
        out = MemberOut.of(member, uow.ledger.balance(member.member_id))
        referral = svc.referrals.of_friend(uow, member.member_id) if body.referral_code else None
        joined = None
        if referral is not None:
            joined = EnrolmentReferralOut.of(referral, svc.referrals.shown_status(uow, referral))
        return 201, EnrolledOut(**out.model_dump(), referral=joined)

    return run_write(request, svc, caller, body, action)


@router.get("", response_model=MemberPage, summary="Search members")
def search(
    svc: ServicesDep,
    caller: CallerDep,
    q: Annotated[str | None, Query(description="Part of a name, e-mail, phone, card")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(description="Cursor from the previous page")] = None,
) -> MemberPage:
    caller.require(Capability.MEMBERS_SEARCH)
    with svc.ctx.uow() as uow:
        found = svc.members.search(uow, q, limit, after)
    return MemberPage(
        items=[MemberOut.of(m) for m in found],
        next_after=found[-1].member_id if len(found) == limit else None,
    )


@router.get("/{member}", response_model=MemberOut, summary="Look a member up by any identifier")
def get_member(member: str, svc: ServicesDep, caller: CallerDep) -> MemberOut:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERS_READ, found.member_id)
        return MemberOut.of(found, uow.ledger.balance(found.member_id))


@router.patch("/{member}", response_model=MemberOut, summary="Change a member's details")
def update(
    member: str, body: MemberPatch, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.MEMBERS_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, MemberOut]:
        changed = svc.members.update(uow, member, body.model_dump(exclude_unset=True))
        return 200, MemberOut.of(changed, uow.ledger.balance(changed.member_id))

    return run_write(request, svc, caller, body, action)


@router.get(
    "/{member}/card.{fmt}",
    summary="The member's digital card as a QR code",
    responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}},
    response_class=Response,
)
def card(member: str, fmt: Literal["svg", "png"], svc: ServicesDep, caller: CallerDep) -> Response:
    caller.require(Capability.MEMBERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
    caller.require_member(Capability.MEMBERS_READ, found.member_id)
    media = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(svc.render_card(found.card_number, fmt), media_type=media)


@router.post(
    "/{member}/tokens",
    status_code=201,
    response_model=MemberTokenOut,
    summary="Issue a member token for the app (admin)",
)
def issue_token(
    member: str, body: MemberTokenIn, svc: ServicesDep, caller: CallerDep
) -> MemberTokenOut:
    issued = svc.access.issue_member_token(caller, member, timedelta(days=body.ttl_days))
    return MemberTokenOut(member_id=issued.record_id, token=issued.token)
