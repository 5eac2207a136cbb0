"""The report's spend around joining and attributable revenue, on members who joined with a
history before (tests/analytics/joiners.py; the figures are those worked out in
tests/analytics/test_matched_baseline.py and test_spend_around_joining.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from loyalo.adapters.report.charts import spend_around_joining
from loyalo.adapters.report.files import write_tables
from loyalo.adapters.report.html import render_html
from loyalo.bootstrap.container import Container
from loyalo.domain.errors import InvalidAnalyticsQuery
from tests.analytics.joiners import ANN, BOB, CAT, DAN, MARCH, START, WINDOW, build_joiners
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_the_report_shows_spend_around_joining_and_the_estimate(
    container: Container, tmp_path: Path
) -> None:
    members = build_joiners(container, [ANN, BOB, CAT, DAN])
    data = container.report.build(MARCH, window_days=WINDOW)

    tiles = {tile.kpi: tile.raw() for tile in data.tiles}
    assert (tiles["members_joined"], tiles["attributable_revenue"]) == ("2", "65.00")
    assert data.notes == (
        "Attributable revenue, estimated by matched-baseline: 1 of the 2 members who joined in "
        "the period compared over 28 days before and after their joining week with 2 members "
        "who had not joined yet, in the same bands of spending before; 1 joined too recently "
        "for a whole window after.",
    )
    ann, dan = members["ann"].member_id, members["dan"].member_id
    assert sorted(data.joining.records(), key=lambda r: str(r["joined_at"])) == [
        {
            "member_id": ann,
            "joined_at": datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
            "orders_before": 2,
            "spend_before_minor": 60_000,
            "orders_after": 2,
            "spend_after_minor": 15_000,
            "window_complete": True,
        },
        {
            "member_id": dan,
            "joined_at": datetime(2026, 3, 30, 10, 0, tzinfo=UTC),
            "orders_before": 0,
            "spend_before_minor": 0,
            "orders_after": 0,
            "spend_after_minor": 0,
            "window_complete": True,
        },
    ]
    figure = spend_around_joining(data)
    assert [(bar.name, list(bar.x), list(bar.y)) for bar in figure.data] == [
        ("28 days before joining", ["2026-03"], [600.0]),
        ("28 days from joining", ["2026-03"], [150.0]),
    ]
    page = render_html(data)
    assert "65.00 PLN" in page
    assert 'data-chart="spend_around_joining"' in page

    write_tables(data, tmp_path)
    written = pq.read_table(tmp_path / "spend_around_joining.parquet").to_pylist()
    assert sorted(row["spend_before_minor"] for row in written) == [0, 60_000]
    kpis = (tmp_path / "kpis.csv").read_text().splitlines()
    assert "attributable_revenue,attributable revenue (estimate),65.00,PLN" in kpis
    assert "members_joined,members who joined,2," in kpis


def test_a_window_out_of_range_is_refused_before_the_export(container: Container) -> None:
    with pytest.raises(InvalidAnalyticsQuery):
        container.report.build(MARCH, window_days=400)
