"""The KPI queries, one module per family, in SQL that DuckDB and Spark SQL both read.

The common subset only: CTEs, joins, GROUP BY, CASE, COUNT(DISTINCT), COALESCE,
INSTR, TIMESTAMP literals. Parameters are inlined as typed literals
(``literals.py``): timestamps from datetimes, text only after the domain
checked it holds no quote or backslash. Every query returns integers (counts,
minor units, points); ratios are computed afterwards, in Python, so both
engines give the same numbers to the last digit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from loyalo.adapters.analytics.queries import attribution, kpis, members, points, report, roi

Render = Callable[[Mapping[str, object]], str]

QUERIES: dict[str, Render] = {
    "kpis": kpis.render,
    "points": points.render,
    "redeemers": points.render_redeemers,
    "non_members": members.render_non_members,
    "spend_around_joining": members.render_joining,
    "campaigns": roi.render,
    "matched_baseline_strata": attribution.render_strata,
    "matched_baseline_joiners": attribution.render_joiners,
    "cohort_activity": report.render_cohort_activity,
    "rfm": report.render_rfm,
    "points_by_month": report.render_points_by_month,
}


def render(name: str, parameters: Mapping[str, object]) -> str:
    try:
        query = QUERIES[name]
    except KeyError:
        raise ValueError(f"no analytics query {name!r}") from None
    return query(parameters)
