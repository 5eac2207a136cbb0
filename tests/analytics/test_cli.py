"""``loyalo analytics export`` writes what is new, once, and says what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from tests.analytics.support import START, build_shop, sale
from tests.support.clock import FakeClock

runner = CliRunner()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_export_twice_writes_each_purchase_once(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    shop = build_shop(container)
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}
    first = runner.invoke(app, ["analytics", "export", "--json"], env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["rows"]["purchases"] == 7
    sale(container, shop.e, 1_500, "pos", "s1", "CLI1")
    second = runner.invoke(app, ["analytics", "export", "--json"], env=env)
    assert json.loads(second.stdout)["rows"]["purchases"] == 1
    store = AnalyticsStore.at(tmp_path / "analytics")
    assert store.rows("SELECT COUNT(*) AS n, SUM(paid_minor) AS s FROM purchases") == [
        {"n": 8, "s": 33_000}
    ]
    sale(container, shop.a, 500, "pos", "s1", "CLI2")
    table = runner.invoke(app, ["analytics", "export"], env=env)
    assert table.exit_code == 0, table.output
    assert "purchases" in table.stdout
    idle = runner.invoke(app, ["analytics", "export"], env=env)
    assert idle.exit_code == 0, idle.output
    assert "Nothing new" in idle.stdout
