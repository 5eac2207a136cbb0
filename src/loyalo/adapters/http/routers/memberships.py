"""Paid memberships: record a payment (activate or renew), cancel, read plans and history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.memberships import (
    MembershipChangeOut,
    MembershipPaymentIn,
    MembershipsOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.http.writes import run_write
from loyalo.application.members import resolve
from loyalo.application.memberships.service import MembershipResult, PaymentCommand
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.money import Money

router = APIRouter(prefix="/v1/members", tags=["memberships"])


def memberships_of(svc: HttpServices, caller: Principal, member: str) -> MembershipsOut:
    caller.require(Capability.MEMBERSHIPS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.MEMBERSHIPS_READ, found.member_id)
        return MembershipsOut.of(svc.memberships.view(uow, found.member_id))


def _change(svc: HttpServices, uow: UnitOfWork, result: MembershipResult) -> MembershipChangeOut:
    return MembershipChangeOut.of(result, svc.memberships.standing(uow, result.subscription))


@router.post(
    "/{member}/memberships",
    status_code=201,
    response_model=MembershipChangeOut,
    summary="Record a membership payment: activate the plan or renew it (admin, pos)",
    description=(
        "The caller has taken the payment. A first payment, or the first after a lapse, "
        "starts a period from the day of `paid_at`; a payment while the plan runs (early, "
        "in its grace, or cancelled but not yet over) adds a period after the paid ones. "
        "A `payment_reference` is recorded once: sent again with the same content it "
        "answers 200 with the original result (`replayed`), with other content "
        "`/problems/payment-reference-conflict`."
    ),
)
def pay(
    member: str, body: MembershipPaymentIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.MEMBERSHIPS_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, MembershipChangeOut]:
        command = PaymentCommand(
            member=member,
            plan_id=body.plan,
            amount_minor=Money.parse(body.amount, body.currency).amount_minor,
            currency=body.currency,
            paid_at=body.paid_at,
            payment_reference=body.payment_reference,
            actor=f"apikey:{caller.key_id}",
        )
        result = svc.memberships.pay(uow, command)
        return (200 if result.replayed else 201), _change(svc, uow, result)

    return run_write(request, svc, caller, body, action)


@router.post(
    "/{member}/memberships/{plan}/cancel",
    response_model=MembershipChangeOut,
    summary="Cancel a membership: no more renewals; it lasts to the end of the paid period",
    description="Refused with `/problems/membership-not-active` for a lapsed or cancelled plan.",
)
def cancel(
    member: str, plan: str, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return cancel_for(svc, caller, request, member, plan)


def cancel_for(
    svc: HttpServices, caller: Principal, request: Request, member: str, plan: str
) -> JSONResponse:
    """Admin and pos keys cancel any member's plan; an app key only its own member's."""
    caller.require(Capability.MEMBERSHIPS_CANCEL)

    def action(uow: UnitOfWork) -> tuple[int, MembershipChangeOut]:
        caller.require_member(Capability.MEMBERSHIPS_CANCEL, resolve(uow, member).member_id)
        actor = f"member:{caller.member_id}" if caller.member_id else f"apikey:{caller.key_id}"
        result = svc.memberships.cancel(uow, member, plan, actor=actor)
        return 200, _change(svc, uow, result)

    return run_write(request, svc, caller, None, action)


@router.get(
    "/{member}/memberships",
    response_model=MembershipsOut,
    summary="A member's paid memberships: the active plan, every plan held, the history",
)
def memberships(member: str, svc: ServicesDep, caller: CallerDep) -> MembershipsOut:
    """Admin and pos keys may read any member; an app key only the member its token names."""
    return memberships_of(svc, caller, member)
