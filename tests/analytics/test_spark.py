"""The KPI suite on a local Spark session gives exactly what DuckDB gives.

Run alone with ``pytest -m spark tests/analytics``; Java 17 must be on the
machine (it is in CI). The session is local[1] with no UI, started once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from pyspark.sql import SparkSession

from loyalo.adapters.analytics.queries import QUERIES
from loyalo.adapters.analytics.spark import SparkQueries, local_session
from loyalo.application.analytics.service import AnalyticsService, query_parameters
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import KpiFilters, Period
from tests.analytics.joiners import (
    ANN,
    BOB,
    CAT,
    DAN,
    EVE,
    GUS,
    HAL,
    MARCH,
    OBSERVED,
    WINDOW,
    build_joiners,
)
from tests.analytics.support import START, build_shop
from tests.support.clock import FakeClock

pytestmark = pytest.mark.spark

PERIODS = [Period(date(2026, 2, 1), date(2026, 2, 28)), Period(date(2026, 1, 1), date(2026, 3, 31))]
JOINING_QUERIES = ("matched_baseline_strata", "matched_baseline_joiners", "spend_around_joining")
FILTERS = [
    KpiFilters(),
    KpiFilters(channel="web"),
    KpiFilters(store="s1"),
    KpiFilters(flag="vip"),
    KpiFilters(tier="gold"),
]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture(autouse=True)
def _once(database_url: str) -> None:
    """The engines compare Parquet files: which database they came from does not matter."""
    if not database_url.startswith("sqlite"):
        pytest.skip("engine-independent: the SQLite run compares DuckDB and Spark")


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session("loyalo-tests")
    yield session
    session.stop()


def test_every_kpi_query_gives_the_same_rows_on_spark_as_on_duckdb(
    container: Container, spark: SparkSession
) -> None:
    build_shop(container)
    container.analytics.export()
    duckdb = container.analytics_store
    on_spark = SparkQueries(spark, duckdb.warehouse)
    compared = 0
    cases = [(PERIODS[0], filters) for filters in FILTERS] + [(PERIODS[1], KpiFilters())]
    for period, filters in cases:
        parameters = query_parameters(period, filters, window_days=90, horizon=START)
        for name in QUERIES:
            expected = duckdb.run(name, parameters)
            assert on_spark.run(name, parameters) == expected, (name, period, filters)
            compared += len(expected)
    assert compared > 30  # rows, not just empty answers
    (february,) = on_spark.run("kpis", query_parameters(PERIODS[0], KpiFilters()))
    assert (february["orders"], february["revenue_minor"]) == (4, 15_500)


def test_the_kpi_families_computed_on_spark_equal_those_on_duckdb(
    container: Container, spark: SparkSession
) -> None:
    build_shop(container)
    container.analytics.export()
    store = container.analytics_store
    spark_service = AnalyticsService(
        container.ctx, store.warehouse, SparkQueries(spark, store.warehouse)
    )
    period = PERIODS[0]
    for filters in (KpiFilters(), KpiFilters(flag="vip")):
        assert spark_service.member_kpis(period, filters) == container.analytics.member_kpis(
            period, filters
        )
        assert spark_service.points(period, filters) == container.analytics.points(period, filters)
        assert spark_service.members_vs_non_members(
            period, filters
        ) == container.analytics.members_vs_non_members(period, filters)
        assert spark_service.roi(period, filters) == container.analytics.roi(period, filters)


def test_the_matched_baseline_and_spend_around_joining_on_spark(
    container: Container, spark: SparkSession
) -> None:
    """Joiners with history before joining (tests/analytics/joiners.py): the queries about
    joining, under every filter, two windows (the test above runs every query on the shop,
    where nobody has history before joining); then the estimate, from Spark's answers."""
    build_joiners(container, [ANN, BOB, CAT, DAN, EVE, GUS, HAL])
    duckdb = container.analytics_store
    on_spark = SparkQueries(spark, duckdb.warehouse)
    compared = 0
    # every filter with the short window, and the long window unfiltered: a JVM query costs
    # about a second, and the windows and the filters are separate parts of the SQL
    cases = [(f, WINDOW) for f in [*FILTERS, KpiFilters(channel="pos")]] + [(KpiFilters(), 90)]
    for filters, window_days in cases:
        parameters = query_parameters(MARCH, filters, window_days=window_days, horizon=OBSERVED)
        for name in JOINING_QUERIES:
            expected = duckdb.run(name, parameters)
            assert on_spark.run(name, parameters) == expected, (name, filters, window_days)
            compared += len(expected)
    assert compared > 30  # rows, not just empty answers
    strata = on_spark.run(
        "matched_baseline_strata",
        query_parameters(MARCH, KpiFilters(), window_days=WINDOW, horizon=OBSERVED),
    )
    assert len(strata) == 2  # ann's and eve's (hal has nothing before joining: no stratum)
    spark_service = AnalyticsService(container.ctx, duckdb.warehouse, on_spark)
    found = spark_service.matched_baseline(MARCH, KpiFilters(), WINDOW)
    assert found == container.analytics.matched_baseline(MARCH, KpiFilters(), WINDOW)
    assert str(found.lift) == "60.00"  # the strata case of test_matched_baseline.py
