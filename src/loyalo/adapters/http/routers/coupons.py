"""Coupons and promo codes: batches (admin), a code's state, a member's coupons, cancelling.

Codes are used at the till through the checkout quote and the purchase (`codes`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.coupons import (
    CouponBatchIn,
    CouponBatchOut,
    CouponOut,
    CouponPage,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal, Role
from loyalo.domain.errors import CouponNotFound, Forbidden

router = APIRouter(tags=["coupons"])

Limit = Annotated[int, Query(ge=1, le=500)]
After = Annotated[str | None, Query(max_length=80, description="`next_after` of the page before")]


@router.post(
    "/v1/coupon-batches",
    status_code=201,
    response_model=CouponBatchOut,
    summary="Generate a batch of codes: personal codes for members, or N codes from a pattern",
    description="All or nothing, in one transaction. Personal codes need at least 60 random "
    "bits (`/problems/guessable-coupon-codes`); a batch of shared codes needs a pattern with "
    "a thousand times as many possible codes as it draws. Up to 10 000 codes per call; "
    "`loyalo coupons generate` writes larger batches to a CSV file.",
)
def create_batch(
    body: CouponBatchIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.COUPONS_WRITE)
    batch = body.to_request()

    def action(uow: UnitOfWork) -> tuple[int, CouponBatchOut]:
        return 201, CouponBatchOut.of(svc.coupons.generate_batch(uow, batch))

    return run_write(request, svc, caller, body, action)


@router.get(
    "/v1/coupons/{code}",
    response_model=CouponOut,
    summary="A code's benefit, validity and uses (admin, pos; a member only their own)",
)
def get_coupon(code: str, svc: ServicesDep, caller: CallerDep) -> CouponOut:
    caller.require(Capability.COUPONS_READ)
    with svc.ctx.uow() as uow:
        coupon = svc.coupons.get(uow, code)
    if caller.role is Role.APP and coupon.member_id != caller.member_id:
        raise CouponNotFound(f"no coupon {coupon.code}", code=coupon.code)  # not: whose it is
    return CouponOut.of(coupon)


@router.post(
    "/v1/coupons/{code}/cancel",
    response_model=CouponOut,
    summary="Cancel a code that has uses left (admin); cancelling it again changes nothing",
)
def cancel_coupon(code: str, request: Request, svc: ServicesDep, caller: CallerDep) -> JSONResponse:
    caller.require(Capability.COUPONS_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, CouponOut]:
        return 200, CouponOut.of(svc.coupons.cancel(uow, code))

    return run_write(request, svc, caller, None, action)


def coupons_of(
    svc: ServicesDep, caller: Principal, member: str, limit: int, after: str | None
) -> CouponPage:
    caller.require(Capability.COUPONS_READ)
    with svc.ctx.uow() as uow:
        found = svc.members.get(uow, member)
        caller.require_member(Capability.COUPONS_READ, found.member_id)
        coupons = svc.coupons.of_member(uow, found.member_id, limit=limit, after=after)
    last = coupons[-1].code if len(coupons) == limit else None
    return CouponPage(coupons=[CouponOut.of(c) for c in coupons], next_after=last)


@router.get(
    "/v1/members/{member}/coupons",
    response_model=CouponPage,
    summary="The member's coupons, newest first (admin, pos, app for its own member)",
)
def member_coupons(
    member: str, svc: ServicesDep, caller: CallerDep, limit: Limit = 50, after: After = None
) -> CouponPage:
    return coupons_of(svc, caller, member, limit, after)


@router.get("/v1/me/coupons", response_model=CouponPage, summary="The member's own coupons")
def my_coupons(
    svc: ServicesDep, caller: CallerDep, limit: Limit = 50, after: After = None
) -> CouponPage:
    if caller.member_id is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return coupons_of(svc, caller, f"id:{caller.member_id}", limit, after)
