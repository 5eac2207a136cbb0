"""`loyalo import purchases` from the command line: the report, JSON, resume, refusals."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from loyalo.cli.main import app
from tests.history.support import SHOP, write_history

ROOT = Path(__file__).parents[2]


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    applied = runner.invoke(
        app, ["programme", "apply", str(ROOT / "programmes/online_retail.yaml")]
    )
    assert applied.exit_code == 0, applied.output
    return runner


def _import(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["import", "purchases", *args])


def test_the_report_as_a_table_and_as_json(runner: CliRunner, tmp_path: Path) -> None:
    path = write_history(tmp_path / "shop.csv", SHOP)
    result = _import(runner, str(path))
    assert result.exit_code == 0, result.output
    assert "member purchases recorded" in result.output
    assert "non-member lines kept for analytics" in result.output

    again = _import(runner, str(path), "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["already_done"] is True
    assert report["counts"]["purchases"] == 3
    assert report["counts"]["non_member_lines"] == 2


def test_a_gzip_file_reads_like_the_plain_one(runner: CliRunner, tmp_path: Path) -> None:
    plain = write_history(tmp_path / "shop.csv", SHOP)
    packed = tmp_path / "shop.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = _import(runner, str(packed), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["purchases"] == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "no such file"),
        (["{shop}", "--currency", "EUR"], "runs in GBP"),
        (["{shop}", "--batch-size", "0"], "batch-size"),
    ],
)
def test_refusals_are_one_clear_line(
    runner: CliRunner, tmp_path: Path, args: list[str], message: str
) -> None:
    shop = write_history(tmp_path / "shop.csv", SHOP)
    result = _import(runner, *(arg.replace("{shop}", str(shop)) for arg in args))
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
