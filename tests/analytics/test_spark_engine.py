"""LOYALO_ANALYTICS_ENGINE=spark: the server answers every analytics call from Spark, with
exactly what the DuckDB default answers over the same export, and says plainly what is
missing when Spark cannot run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loyalo.adapters.analytics.spark import SparkQueries
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.analytics.support import START, Shop, build_shop, sale
from tests.support.clock import FakeClock
from tests.support.live_server import live_server

pytestmark = pytest.mark.spark

# The wiring, family by family; every query under every filter is test_spark.py's.
CALLS = [
    ("/v1/analytics/kpis", {"from": "2026-02-01", "to": "2026-02-28"}),
    ("/v1/analytics/roi", {"from": "2026-01-01", "to": "2026-03-31", "flag": "vip"}),
    ("/v1/analytics/cohorts", {"from": "2026-01-01", "to": "2026-03-31"}),
]


def _answers(container: Container, calls: list[tuple[str, dict[str, str]]]) -> list[Any]:
    key = container.access.create_key("analyst", Role.ADMIN).token
    with live_server(build_app(container, scheduler=False)) as base_url:
        client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {key}"}, timeout=180
        )
        with client:
            responses = [client.get(path, params=params) for path, params in calls]
    assert [r.status_code for r in responses] == [200] * len(calls), [r.text for r in responses]
    return [_without_freshness(r.json()) for r in responses]


def _without_freshness(body: Any) -> Any:
    """``freshness`` says when each call exported; the figures are what must agree."""
    if isinstance(body, dict):
        return {k: _without_freshness(v) for k, v in body.items() if k != "freshness"}
    if isinstance(body, list):
        return [_without_freshness(v) for v in body]
    return body


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("spark-engine")
    return Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'shop.db'}")


@pytest.fixture(scope="module")
def on_spark(settings: Settings) -> Iterator[tuple[Container, Shop]]:
    """One session for the module: a JVM takes seconds to start."""
    spark = settings.model_copy(update={"analytics_engine": "spark", "spark_master": "local[1]"})
    container = build(spark, clock=FakeClock(START), migrate=True)
    shop = build_shop(container)
    yield container, shop
    container.close()


def test_the_server_answers_from_spark_what_duckdb_answers(
    on_spark: tuple[Container, Shop], settings: Settings
) -> None:
    container, _ = on_spark
    assert isinstance(container.analytics_queries, SparkQueries)
    from_spark = _answers(container, CALLS)  # the first call exports; Spark reads what it wrote
    on_duckdb = build(settings, clock=FakeClock(container.ctx.clock.now()))  # the same moment
    try:
        assert isinstance(on_duckdb.analytics_queries, AnalyticsStore)
        assert _answers(on_duckdb, CALLS) == from_spark
    finally:
        on_duckdb.close()
    assert from_spark[0]["orders"] == 4  # February of the hand-built shop (test_kpis.py)


def test_spark_sees_a_new_export_without_a_restart(on_spark: tuple[Container, Shop]) -> None:
    container, shop = on_spark
    points = [("/v1/analytics/points", {"from": "2026-01-01", "to": "2026-03-31"})]
    before = _answers(container, points)[0]["issued"]
    sale(container, shop.b, 5_000, "pos", "s1", "M2")  # 50.00 on 1 March: 50 points more
    assert _answers(container, points)[0]["issued"] == before + 50


def test_spark_without_java_is_refused_at_start_up(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    spark = settings.model_copy(update={"analytics_engine": "spark"})
    with pytest.raises(RuntimeError, match="needs Java 17"):
        build(spark, migrate=True)


def test_an_unknown_engine_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LOYALO_ANALYTICS_ENGINE", "hive")
    with pytest.raises(ValueError, match="duckdb"):
        Settings(data_dir=tmp_path)
