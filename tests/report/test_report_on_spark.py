"""The report's queries on a local Spark session give exactly what DuckDB gives.

The same files, the same SQL (``adapters/analytics/queries/report.py``), the report built
twice: once on DuckDB, once on Spark, compared table by table. Run alone with
``pytest -m spark tests/report``; Java 17 must be on the machine.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from loyalo.adapters.analytics.spark import SparkQueries, local_session
from loyalo.adapters.programme_files.loader import load_programme
from loyalo.application.report.service import ReportService
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.demo import seed_demo
from loyalo.bootstrap.settings import Settings
from loyalo.domain.analytics.filters import KpiFilters, Period
from tests.report.support import QUARTER, buy_history
from tests.support.clock import FakeClock

pytestmark = pytest.mark.spark

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session("loyalo-report-tests")
    yield session
    session.stop()


def _both(container: Container, spark: SparkSession) -> tuple[ReportService, ReportService]:
    """The report on DuckDB and on Spark, over one export (neither exports again)."""
    container.analytics.export()
    store = container.analytics_store
    on_spark = SparkQueries(spark, store.warehouse)

    def seen() -> datetime | None:
        return container.analytics.freshness().exported_at

    return (
        ReportService(container.ctx, store, export=lambda: None, observed_until=seen),
        ReportService(container.ctx, on_spark, export=lambda: None, observed_until=seen),
    )


def _same_report(duckdb: ReportService, on_spark: ReportService, period: Period) -> None:
    for filters in (KpiFilters(), KpiFilters(channel="pos"), KpiFilters(store="s1")):
        assert on_spark.cohorts(period, filters) == duckdb.cohorts(period, filters), filters
        assert on_spark.rfm(period, filters) == duckdb.rfm(period, filters), filters
    assert on_spark.build(period) == duckdb.build(period)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_small_history_gives_the_same_report_on_spark(
    container: Container, clock: FakeClock, spark: SparkSession
) -> None:
    buy_history(container, clock)
    duckdb, on_spark = _both(container, spark)

    _same_report(duckdb, on_spark, QUARTER)
    assert len(on_spark.rfm(QUARTER)) == 5


def test_the_demo_year_gives_the_same_report_on_spark(tmp_path: Path, spark: SparkSession) -> None:
    container = build(Settings(data_dir=tmp_path), migrate=True)
    try:
        with container.ctx.uow() as uow:
            container.programmes.apply(uow, load_programme(EXAMPLE), source="test", actor="test")
            uow.commit()
        seed_demo(container, members=40)
        today = datetime.now(UTC).date()
        year = Period(today - timedelta(days=365), today)
        duckdb, on_spark = _both(container, spark)

        _same_report(duckdb, on_spark, year)
        data = on_spark.build(year)
        assert len(data.cohorts.rows) > 20
        assert sum(int(str(row[1])) for row in data.rfm_segments.rows) > 30
        assert _earliest(data.cohorts.column("cohort_month")) >= year.first_day.replace(day=1)
        tiles = {tile.kpi: tile.value for tile in data.tiles}
        assert tiles["attributable_revenue"] is not None  # the matched baseline, on Spark
        assert len(data.joining.rows) == 40
    finally:
        container.close()


def _earliest(months: Sequence[object]) -> date:
    found = [m for m in months if isinstance(m, date)]
    return min(found)
