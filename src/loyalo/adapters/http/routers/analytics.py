"""KPIs over the analytics store (admin). Each call exports what is new first, unless
``refresh=false``; ``freshness.data_as_of`` says what the answer includes."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from loyalo.adapters.http.schemas.analytics import (
    CampaignRoiOut,
    FiltersOut,
    Freshness,
    KpisOut,
    MembersVsNonMembersOut,
    PeriodOut,
    PointsOut,
    ProgrammeRoiOut,
    RoiOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.application.analytics.ports import ExportState
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.analytics.filters import KpiFilters, Period

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


class AnalyticsQuery:
    """The period and filters every analytics call takes."""

    def __init__(
        self,
        from_: Annotated[date, Query(alias="from", description="First day (UTC), included")],
        to: Annotated[date, Query(description="Last day (UTC), included")],
        channel: Annotated[str | None, Query(description="The purchase's channel")] = None,
        store: Annotated[str | None, Query(description="The purchase's store")] = None,
        tier: Annotated[str | None, Query(description="The member's current tier")] = None,
        flag: Annotated[str | None, Query(description="A flag the member carries")] = None,
        refresh: Annotated[bool, Query(description="Export what is new first")] = True,
    ) -> None:
        self.period = Period(from_, to)
        self.filters = KpiFilters(channel=channel, store=store, tier=tier, flag=flag)
        self.refresh = refresh


QueryDep = Annotated[AnalyticsQuery, Depends()]


def _prepare(svc: HttpServices, caller: Principal, query: AnalyticsQuery) -> ExportState:
    caller.require(Capability.ANALYTICS_READ)
    if query.refresh:
        svc.analytics.export()
    return svc.analytics.freshness()


@router.get("/kpis", response_model=KpisOut, summary="Members' activity, retention and revenue")
def kpis(query: QueryDep, svc: ServicesDep, caller: CallerDep) -> KpisOut:
    state = _prepare(svc, caller, query)
    return KpisOut.of(svc.analytics.member_kpis(query.period, query.filters), state)


@router.get("/points", response_model=PointsOut, summary="Points issued, redeemed, expired")
def points(query: QueryDep, svc: ServicesDep, caller: CallerDep) -> PointsOut:
    state = _prepare(svc, caller, query)
    return PointsOut.of(svc.analytics.points(query.period, query.filters), state)


@router.get(
    "/members-vs-non-members",
    response_model=MembersVsNonMembersOut,
    summary="Revenue, order value and frequency of members and of non-members",
)
def members_vs_non_members(
    query: QueryDep, svc: ServicesDep, caller: CallerDep
) -> MembersVsNonMembersOut:
    state = _prepare(svc, caller, query)
    found = svc.analytics.members_vs_non_members(query.period, query.filters)
    return MembersVsNonMembersOut.of(found, state)


@router.get("/roi", response_model=RoiOut, summary="Cost and ROI of the programme and campaigns")
def roi(query: QueryDep, svc: ServicesDep, caller: CallerDep) -> RoiOut:
    state = _prepare(svc, caller, query)
    report = svc.analytics.roi(query.period, query.filters)
    return RoiOut(
        period=PeriodOut.of(query.period),
        filters=FiltersOut.of(query.filters),
        freshness=Freshness.of(state),
        programme=ProgrammeRoiOut.of(report.programme),
        campaigns=[CampaignRoiOut.of(c) for c in report.campaigns],
    )
