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
from loyalo.adapters.http.schemas.joining import SpendAroundJoiningOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.application.analytics.ports import ExportState
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.analytics.filters import (
    DEFAULT_WINDOW_DAYS,
    KpiFilters,
    Period,
    check_window_days,
)
from loyalo.domain.analytics.joining import SpendAroundJoining

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


def _window_days(
    window_days: Annotated[
        int, Query(description="Days compared before and after joining (1 to 366)")
    ] = DEFAULT_WINDOW_DAYS,
) -> int:
    return check_window_days(window_days)


WindowDep = Annotated[int, Depends(_window_days)]


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
def roi(query: QueryDep, window_days: WindowDep, svc: ServicesDep, caller: CallerDep) -> RoiOut:
    """The programme's attributable revenue is the matched baseline (the period's joiners
    against members who had not joined yet, over ``window_days`` before and after) when it can
    be estimated, else the AOV lift against non-member sales, else null; ``method`` and
    ``method_reason`` say which and why."""
    state = _prepare(svc, caller, query)
    report = svc.analytics.roi(query.period, query.filters, window_days)
    return RoiOut(
        period=PeriodOut.of(query.period),
        filters=FiltersOut.of(query.filters),
        freshness=Freshness.of(state),
        programme=ProgrammeRoiOut.of(report),
        campaigns=[CampaignRoiOut.of(c) for c in report.campaigns],
    )


@router.get(
    "/spend-around-joining",
    response_model=SpendAroundJoiningOut,
    summary="Each member who joined in the period: spend before and after joining",
)
def spend_around_joining(
    query: QueryDep,
    window_days: WindowDep,
    svc: ServicesDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="Members per page")] = 100,
    after: Annotated[str | None, Query(description="The last member id of the page before")] = None,
) -> SpendAroundJoiningOut:
    """Orders and spend in the ``window_days`` before joining and from it, per member (paged by
    member id) and in total; "before" holds history recorded for the member with earlier dates."""
    state = _prepare(svc, caller, query)
    spend = svc.analytics.spend_around_joining(query.period, query.filters, window_days)
    return SpendAroundJoiningOut.of(spend, state, _page(spend.members, after, limit), limit)


def _page(
    members: tuple[SpendAroundJoining, ...], after: str | None, limit: int
) -> list[SpendAroundJoining]:
    chosen = (m for m in members if after is None or m.member_id > after)  # by member id
    return [m for _, m in zip(range(limit), chosen, strict=False)]
