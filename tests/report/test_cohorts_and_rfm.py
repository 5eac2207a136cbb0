"""Cohorts, RFM and the points behind the report on a small history, to the unit.

Seven members buy through the application; the report reads them back from the
analytics store (exported first) for the first quarter of 2026:

| member | purchases (UTC)                                   | cohort     |
|--------|---------------------------------------------------|------------|
| ann    | 2025-12-15 100.00, 2026-01-10 50.00               | 2025-12 (before) |
| bob    | 2026-01-05 20.00, 2026-01-20 30.00, 2026-03-02 40.00 | 2026-01 |
| cat    | 2026-01-31 23:30 10.00, 2026-02-01 00:10 15.00    | 2026-01    |
| dan    | 2026-02-14 200.00                                 | 2026-02    |
| eve    | 2026-03-31 23:59 5.00                             | 2026-03    |
| fay    | nothing                                           | none       |
| gus    | 2026-04-01 00:00 99.00                            | (after)    |
"""

from __future__ import annotations

from datetime import date

import pytest

from loyalo.application.analytics.parameters import query_parameters
from loyalo.application.report import readings
from loyalo.application.report.service import rfm_table
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import KpiFilters
from loyalo.domain.report.cohorts import cohort_sizes
from loyalo.domain.report.data import Table
from tests.report.support import QUARTER, buy_history
from tests.support.clock import FakeClock

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def members(container: Container, clock: FakeClock) -> dict[str, str]:
    return buy_history(container, clock)


def _named(table: Table, ids: dict[str, str]) -> list[tuple[object, ...]]:
    names = {member_id: name for name, member_id in ids.items()}
    return sorted((names[str(row[0])], *row[1:]) for row in table.rows)


def test_cohorts_by_month_of_first_purchase(container: Container, members: dict[str, str]) -> None:
    table = container.report.cohorts(QUARTER)

    assert table.columns == (
        "cohort_month",
        "months_since",
        "members",
        "active_members",
        "retention",
        "revenue_minor",
    )
    assert list(table.rows) == [
        (date(2026, 1, 1), 0, 2, 2, 1.0, 6000),  # bob twice and cat once in January
        (date(2026, 1, 1), 1, 2, 1, 0.5, 1500),  # cat, five minutes into February
        (date(2026, 1, 1), 2, 2, 1, 0.5, 4000),  # bob
        (date(2026, 2, 1), 0, 1, 1, 1.0, 20000),  # dan
        (date(2026, 2, 1), 1, 1, 0, 0.0, 0),  # a month nobody bought in is a zero
        (date(2026, 3, 1), 0, 1, 1, 1.0, 500),  # eve, a minute before the end
    ]


FIRST_PURCHASE_MONTHS = """
SELECT CAST(date_trunc('month', first_at) AS DATE) AS cohort_month, COUNT(*) AS members
FROM (SELECT member_id, MIN(occurred_at) AS first_at FROM purchases WHERE {where}
      GROUP BY member_id) f
WHERE first_at >= TIMESTAMP '2026-01-01' AND first_at < TIMESTAMP '2026-04-01'
GROUP BY 1
"""


@pytest.mark.parametrize(
    ("filters", "where", "expected"),
    [
        (KpiFilters(), "1 = 1", {JAN: 2, FEB: 1, MAR: 1}),  # bob and cat; dan; eve
        (KpiFilters(store="s1"), "store_id = 's1'", {JAN: 2, FEB: 1, MAR: 1}),
        (KpiFilters(channel="online"), "channel = 'online'", {}),
    ],
)
def test_cohort_sizes_read_from_the_activity_equal_a_count_by_first_purchase(
    container: Container,
    members: dict[str, str],
    filters: KpiFilters,
    where: str,
    expected: dict[date, int],
) -> None:
    """The report no longer counts cohorts apart: each cohort's size is its activity in its own
    month. It equals counting members by the month of their first purchase, as before."""
    container.analytics.export()
    store = container.analytics_store
    activity = readings.cohort_activity(store, query_parameters(QUARTER, filters))

    counted = store.rows(FIRST_PURCHASE_MONTHS.format(where=where))

    assert cohort_sizes(activity) == expected
    assert {row["cohort_month"]: row["members"] for row in counted} == expected


def test_rfm_scores_and_segments(container: Container, members: dict[str, str]) -> None:
    table = rfm_table(container.report.rfm(QUARTER), QUARTER.last_day)

    # R ranks last purchases, F the counts (ann, dan and eve tie at one: all score 1),
    # M the spend; FM = (F + M) // 2; the segment is the grid's cell (R, FM).
    assert _named(table, members) == [
        ("ann", date(2026, 1, 10), 80, 1, 5000, 1, 1, 3, "lost"),  # R1 FM2
        ("bob", date(2026, 3, 2), 29, 3, 9000, 4, 5, 4, "loyal"),  # R4 FM4
        ("cat", date(2026, 2, 1), 58, 2, 2500, 2, 4, 2, "at_risk"),  # R2 FM3
        ("dan", date(2026, 2, 14), 45, 1, 20000, 3, 1, 5, "need_attention"),  # R3 FM3
        ("eve", date(2026, 3, 31), 0, 1, 500, 5, 1, 1, "new"),  # R5 FM1
    ]


def test_filters_narrow_the_cohorts(container: Container, members: dict[str, str]) -> None:
    assert container.report.cohorts(QUARTER, KpiFilters(channel="online")).rows == ()
    assert len(container.report.cohorts(QUARTER, KpiFilters(store="s1")).rows) == 6


def test_report_tables_points_liability_and_segments(
    container: Container, members: dict[str, str]
) -> None:
    data = container.report.build(QUARTER)

    months = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    # 1 point per 1.00: January 50 + 20 + 30 + 10, February 15 + 200, March 40 + 5.
    assert list(data.points.rows) == [
        (months[0], 110, 0, 0),
        (months[1], 215, 0, 0),
        (months[2], 45, 0, 0),
    ]
    # ann's 100 points of December open the period; 100 points are worth 10.00.
    assert list(data.liability.rows) == [
        (months[0], 210, 2100),
        (months[1], 425, 4250),
        (months[2], 470, 4700),
    ]
    segments = {row[0]: row[1:] for row in data.rfm_segments.rows}
    assert segments["lost"] == (1, 5000)
    assert segments["loyal"] == (1, 9000)
    assert segments["champions"] == (0, 0)
    assert sum(count for count, _ in segments.values()) == 5
    assert sorted(data.member_values.column("value_minor")) == [500, 2500, 5000, 9000, 20000]
    # The tiles' data file holds raw numbers: integers, amounts as decimals with a currency.
    # Everyone enrolled on 2 April, after the quarter: nobody joined in it, no estimate.
    (kpis,) = [table for table in data.tables() if table.name == "kpis"]
    assert kpis.columns == ("kpi", "label", "value", "currency")
    assert list(kpis.rows) == [
        ("members_buying", "members who bought", "5", None),
        ("purchases", "purchases", "8", None),
        ("revenue", "revenue", "370.00", "PLN"),
        ("average_order_value", "average order value", "46.25", "PLN"),
        ("points_issued", "points issued", "370", None),
        ("points_redeemed", "points redeemed", "0", None),
        ("points_expired", "points expired", "0", None),
        ("points_outstanding", "points outstanding at the end", "470", None),
        ("liability", "liability at the end", "47.00", "PLN"),
        ("members_joined", "members who joined", "0", None),
        ("attributable_revenue", "attributable revenue (estimate)", None, None),
    ]
    assert data.joining.rows == ()
    assert data.notes == (
        "Attributable revenue: no estimate: matched-baseline not used: nobody in scope joined "
        "in the period; aov-lift not used: no non-member sales in the period (only imported "
        "history holds them).",
    )
