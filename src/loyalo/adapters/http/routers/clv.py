"""Lifetime values (admin): the ranking of every member, and one member's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loyalo.adapters.http.schemas.clv import ClvRankingOut, MemberClvResponse
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.application.analytics.clv import ClvQuery
from loyalo.domain.access.roles import Capability

router = APIRouter(tags=["analytics"])

HorizonMonths = Annotated[int, Query(ge=1, le=120, description="Months of future purchases")]
Discount = Annotated[
    float, Query(ge=0.0, lt=1.0, description="Monthly discount rate, 0.01 for 1 % a month")
]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, description="Members to skip, for the next page")]


@router.get(
    "/v1/analytics/clv",
    response_model=ClvRankingOut,
    summary="The fitted CLV models and every member's lifetime value, highest first (admin)",
)
def clv_ranking(
    svc: ServicesDep,
    caller: CallerDep,
    horizon_months: HorizonMonths = 12,
    discount: Discount = 0.01,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ClvRankingOut:
    caller.require(Capability.ANALYTICS_READ)
    with svc.ctx.uow() as uow:
        page = svc.clv.ranking(uow, ClvQuery(horizon_months, discount), limit, offset)
    return ClvRankingOut.of(page, offset)


@router.get(
    "/v1/members/{member}/clv",
    response_model=MemberClvResponse,
    summary="A member's lifetime value and the models behind it (admin)",
)
def member_clv(
    member: str,
    svc: ServicesDep,
    caller: CallerDep,
    horizon_months: HorizonMonths = 12,
    discount: Discount = 0.01,
) -> MemberClvResponse:
    caller.require(Capability.ANALYTICS_READ)
    with svc.ctx.uow() as uow:
        found = svc.clv.of_member(uow, member, ClvQuery(horizon_months, discount))
    return MemberClvResponse.of(found)
