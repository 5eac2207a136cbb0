"""``loyalo report`` on the demo (the example programme, 40 members), opened in headless Chromium
with no network: every chart is drawn and nothing failed. The tables behind the charts are
written as CSV and Parquet, and say the same."""

from __future__ import annotations

import csv
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from loyalo.adapters.programme_files.loader import load_programme
from loyalo.adapters.report.charts import CHARTS
from loyalo.bootstrap.container import build
from loyalo.bootstrap.demo import DemoSummary, seed_demo
from loyalo.bootstrap.settings import Settings
from loyalo.cli.main import app
from tests.report.browser import CHROMIUM, rendered

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"
TABLES = (
    "kpis",
    "cohorts",
    "points",
    "liability",
    "member_values",
    "rfm_segments",
    "spend_around_joining",
)

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    data_dir = tmp_path_factory.mktemp("demo")
    container = build(Settings(data_dir=data_dir), migrate=True)
    with container.ctx.uow() as uow:
        container.programmes.apply(uow, load_programme(EXAMPLE), source="test", actor="test")
        uow.commit()
    summary = seed_demo(container, members=40)
    container.close()
    return data_dir, summary


@pytest.fixture(scope="module")
def written(demo: tuple[Path, DemoSummary]) -> tuple[Path, Path]:
    data_dir, _ = demo
    today = datetime.now(UTC).date()
    page, tables = data_dir / "report.html", data_dir / "tables"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--from",
            (today - timedelta(days=365)).isoformat(),
            "--to",
            today.isoformat(),
            "--out",
            str(page),
            "--data-dir",
            str(tables),
        ],
        env={"LOYALO_DATA_DIR": str(data_dir), "LOYALO_DATABASE_URL": None},
    )
    assert result.exit_code == 0, result.output
    return page, tables


@needs_chromium
def test_every_chart_renders_offline(written: tuple[Path, Path]) -> None:
    page, _ = written
    probe = rendered(page)

    assert probe["errors"] == []
    assert probe["scripts_with_src"] == 0  # plotly.js is inside the file
    plots = probe["plots"]
    assert [p["id"] for p in plots] == [f"chart-{chart.__name__}" for chart in CHARTS]
    assert all(p["drawn"] and p["traces"] > 0 for p in plots), plots


@needs_chromium
def test_a_page_that_needs_a_cdn_draws_nothing_here(tmp_path: Path) -> None:
    """The browser above really is offline: plotly from its CDN never arrives."""
    page = tmp_path / "cdn.html"
    page.write_text(
        '<html><head><script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script></head>'
        '<body><div id="chart"></div>'
        "<script>Plotly.newPlot('chart', [{y: [1, 2, 3]}]);</script></body></html>"
    )
    probe = rendered(page)

    assert probe["plots"] == []
    assert any("Plotly" in error for error in probe["errors"])


def test_the_tables_behind_the_charts(
    written: tuple[Path, Path], demo: tuple[Path, DemoSummary]
) -> None:
    _, tables = written
    _, summary = demo
    for name in TABLES:
        with (tables / f"{name}.csv").open(newline="") as handle:
            rows = list(csv.reader(handle))
        parquet = pq.read_table(tables / f"{name}.parquet")
        assert rows[0] == parquet.column_names
        assert len(rows) - 1 == parquet.num_rows > 0
    with (tables / "kpis.csv").open(newline="") as handle:
        kpis = {row["kpi"]: row for row in csv.DictReader(handle)}
    assert kpis["points_outstanding"]["value"] == str(summary.points_outstanding)
    for kpi in ("revenue", "average_order_value", "liability", "attributable_revenue"):
        assert re.fullmatch(r"-?\d+\.\d\d", kpis[kpi]["value"]), kpis[kpi]  # a raw amount
        assert kpis[kpi]["currency"] == "PLN"
    for kpi in ("members_buying", "purchases", "points_issued", "members_joined"):
        assert re.fullmatch(r"\d+", kpis[kpi]["value"]), kpis[kpi]  # a raw count
        assert kpis[kpi]["currency"] == ""
    joined = pq.read_table(tables / "spend_around_joining.parquet").to_pylist()
    assert len(joined) == int(kpis["members_joined"]["value"]) > 0  # the demo's year of joining
    assert any(row["orders_before"] > 0 for row in joined)  # history recorded before joining
    liability = pq.read_table(tables / "liability.parquet").to_pylist()
    assert liability[-1]["outstanding_points"] == summary.points_outstanding
    segments = pq.read_table(tables / "rfm_segments.parquet").to_pylist()
    values = pq.read_table(tables / "member_values.parquet").to_pylist()
    assert sum(s["members"] for s in segments) == len(values) > 0  # the demo's buyers
    data_dir, _ = demo
    container = build(Settings(data_dir=data_dir))
    try:  # the histogram draws the CLV models' values, not the spend
        expected = sorted(container.clv.values())
    finally:
        container.close()
    assert [(v["member_id"], v["value_minor"]) for v in values] == expected
    assert any(v["value_minor"] > 0 for v in values)


def test_a_period_that_ends_before_it_starts_is_refused(
    demo: tuple[Path, DemoSummary], tmp_path: Path
) -> None:
    data_dir, _ = demo
    page = tmp_path / "never.html"
    result = CliRunner().invoke(
        app,
        ["report", "--from", "2026-03-31", "--to", "2026-01-01", "--out", str(page)],
        env={"LOYALO_DATA_DIR": str(data_dir), "LOYALO_DATABASE_URL": None},
    )
    assert result.exit_code == 1
    assert "before it starts" in result.output
    assert not page.exists()


def test_a_window_out_of_range_is_refused(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    data_dir, _ = demo
    page = tmp_path / "never.html"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--out",
            str(page),
            "--window-days",
            "400",
        ],
        env={"LOYALO_DATA_DIR": str(data_dir), "LOYALO_DATABASE_URL": None},
    )
    assert result.exit_code == 1
    assert "window_days is 1 to 366, not 400" in result.output
    assert not page.exists()
