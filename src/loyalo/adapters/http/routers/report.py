"""Acquisition cohorts and RFM segments over the analytics store (admin, ``analytics:read``).

Each call exports what is new first, unless ``refresh=false``, as the KPIs do."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loyalo.adapters.http.routers.analytics import AnalyticsQuery, QueryDep
from loyalo.adapters.http.schemas.analytics import FiltersOut, Freshness, PeriodOut
from loyalo.adapters.http.schemas.report import (
    CohortMonthOut,
    CohortsOut,
    RfmMemberOut,
    RfmMembersOut,
    RfmOut,
    SegmentOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.money import Money
from loyalo.domain.report.rfm import MemberRfm, Segment, segment_totals

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


def _envelope(svc: HttpServices, caller: Principal, query: AnalyticsQuery) -> dict[str, object]:
    caller.require(Capability.ANALYTICS_READ)
    if query.refresh:
        svc.analytics.export()
    with svc.ctx.uow() as uow:
        currency = svc.ctx.terms_in(uow).currency
    return {
        "period": PeriodOut.of(query.period),
        "filters": FiltersOut.of(query.filters),
        "freshness": Freshness.of(svc.analytics.freshness()),
        "currency": currency,
    }


@router.get(
    "/cohorts",
    response_model=CohortsOut,
    summary="Monthly acquisition cohorts: retention and revenue by month since",
)
def cohorts(query: QueryDep, svc: ServicesDep, caller: CallerDep) -> CohortsOut:
    envelope = _envelope(svc, caller, query)
    rows = svc.report.cohort_months(query.period, query.filters, refresh=False)
    currency = str(envelope["currency"])
    return CohortsOut.model_validate(
        {**envelope, "cohorts": [CohortMonthOut.of(row, currency) for row in rows]}
    )


@router.get("/rfm", response_model=RfmOut, summary="RFM segments: members and revenue of each")
def rfm(query: QueryDep, svc: ServicesDep, caller: CallerDep) -> RfmOut:
    envelope = _envelope(svc, caller, query)
    members = svc.report.rfm(query.period, query.filters, refresh=False)
    currency = str(envelope["currency"])
    segments = [
        SegmentOut(segment=segment, members=count, revenue=str(Money(paid, currency)))
        for segment, count, paid in segment_totals(members)
    ]
    return RfmOut.model_validate(
        {
            **envelope,
            "as_of": query.period.last_day,
            "members_scored": len(members),
            "segments": segments,
        }
    )


@router.get(
    "/rfm/members",
    response_model=RfmMembersOut,
    summary="Each member's RFM values, scores and segment, by member id",
)
def rfm_members(
    query: QueryDep,
    svc: ServicesDep,
    caller: CallerDep,
    segment: Annotated[Segment | None, Query(description="Only this segment")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    after: Annotated[str | None, Query(description="The last member id of the page before")] = None,
) -> RfmMembersOut:
    envelope = _envelope(svc, caller, query)
    page = _page(svc.report.rfm(query.period, query.filters, refresh=False), segment, after, limit)
    currency, as_of = str(envelope["currency"]), query.period.last_day
    items = [RfmMemberOut.of(m, as_of, currency) for m in page]
    next_after = items[-1].member_id if len(items) == limit else None
    return RfmMembersOut.model_validate({**envelope, "items": items, "next_after": next_after})


def _page(
    members: list[MemberRfm], segment: Segment | None, after: str | None, limit: int
) -> list[MemberRfm]:
    chosen = (
        m
        for m in members  # ordered by member id
        if (segment is None or m.segment is segment) and (after is None or m.member_id > after)
    )
    return [m for _, m in zip(range(limit), chosen, strict=False)]
