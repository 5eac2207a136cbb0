"""The matched baseline, the programme's attributable revenue and each member's spend around
joining, read from the analytics engine.

Shared by the KPI service (``service.py``) and the report (``application/report``): both
hand over the engine and the time of the export the engine reads (``observed_until``), which
is the horizon a window after joining must have reached to count.
"""

from __future__ import annotations

from datetime import datetime

from loyalo.application.analytics.parameters import query_parameters
from loyalo.application.analytics.ports import AnalyticsQueries, Row
from loyalo.application.analytics.values import day, utc
from loyalo.domain.analytics.attribution import Attribution, first_estimate
from loyalo.domain.analytics.filters import KpiFilters, Period, check_window_days
from loyalo.domain.analytics.joining import JoiningSpend, SpendAroundJoining
from loyalo.domain.analytics.kpis import MembersVsNonMembers
from loyalo.domain.analytics.matched_baseline import JoinerCounts, MatchedBaseline, Stratum
from loyalo.domain.analytics.roi import aov_lift_attribution


def matched_baseline(
    engine: AnalyticsQueries,
    period: Period,
    filters: KpiFilters,
    window_days: int,
    observed_until: datetime | None,
    currency: str,
) -> MatchedBaseline:
    check_window_days(window_days)
    counts, strata = JoinerCounts(0, 0), tuple[Stratum, ...]()
    if observed_until is not None:  # never exported: nothing to read, and no horizon
        p = query_parameters(period, filters, window_days=window_days, horizon=observed_until)
        (row,) = engine.run("matched_baseline_joiners", p)
        counts = JoinerCounts(int(row["joiners"]), int(row["joiners_too_recent"]))
        strata = tuple(_stratum(r) for r in engine.run("matched_baseline_strata", p))
    return MatchedBaseline(window_days, observed_until, currency, counts, strata)


def _stratum(row: Row) -> Stratum:
    counts = {name: int(row[name]) for name in Stratum.__slots__ if name != "join_week"}
    return Stratum(join_week=day(row["join_week"]), **counts)


def spend_around_joining(
    engine: AnalyticsQueries,
    period: Period,
    filters: KpiFilters,
    window_days: int,
    observed_until: datetime | None,
    currency: str,
) -> JoiningSpend:
    check_window_days(window_days)
    p = query_parameters(period, filters, window_days=window_days)
    members = tuple(
        SpendAroundJoining(
            member_id=str(row["member_id"]),
            joined_at=utc(row["joined_at"]),
            orders_before=int(row["orders_before"]),
            spend_before_minor=int(row["spend_before_minor"]),
            orders_after=int(row["orders_after"]),
            spend_after_minor=int(row["spend_after_minor"]),
        )
        for row in engine.run("spend_around_joining", p)
    )
    return JoiningSpend(period, filters, currency, window_days, observed_until, members)


def members_vs_non_members(
    engine: AnalyticsQueries, period: Period, filters: KpiFilters, currency: str, activity: Row
) -> MembersVsNonMembers:
    """The members' side is their activity (the ``kpis`` row already read: the same orders,
    revenue and buyers), so only the non-members' receipts are read here."""
    (row,) = engine.run("non_members", query_parameters(period, filters))
    return MembersVsNonMembers(
        period,
        filters,
        currency,
        member_orders=int(activity["orders"]),
        member_revenue_minor=int(activity["revenue_minor"]),
        members_buying=int(activity["active_members"]),
        non_member_orders=int(row["non_member_orders"]),
        non_member_revenue_minor=int(row["non_member_revenue_minor"]),
    )


def attributable_revenue(
    engine: AnalyticsQueries,
    period: Period,
    filters: KpiFilters,
    window_days: int,
    observed_until: datetime | None,
    currency: str,
    activity: Row,
) -> tuple[MatchedBaseline, Attribution]:
    """The matched baseline, and the programme's estimate: the matched baseline when it can be
    estimated, else the AOV lift against non-member sales, else none (and why). ``activity``
    is the period's ``kpis`` row, which the caller reads anyway."""
    matched = matched_baseline(engine, period, filters, window_days, observed_until, currency)
    sales = members_vs_non_members(engine, period, filters, currency, activity)
    return matched, first_estimate(matched.attribution(), aov_lift_attribution(sales))
