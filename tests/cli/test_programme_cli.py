"""The programme CLI against a real database: validate, apply, versions, diff, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loyalo.adapters.programme_files import schema
from loyalo.cli.main import app

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "programmes" / "example.yaml"


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    return CliRunner()


def test_validate_names_the_field_line_and_column(runner: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(EXAMPLE.read_text().replace("goal: 9", "goal: 0"))
    result = runner.invoke(app, ["programme", "validate", str(broken)])
    assert result.exit_code == 1
    assert "rules[0].effect.goal" in result.output
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1) if "goal: 0" in text)
    assert f"broken.yaml:{line}:" in result.output

    good = runner.invoke(app, ["programme", "validate", str(EXAMPLE)])
    assert good.exit_code == 0, good.output
    assert "5 rules" in good.output


def test_apply_keeps_versions_and_diffs_them(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(app, ["programme", "apply", str(EXAMPLE)])
    assert first.exit_code == 0, first.output
    assert "applied version 1" in first.output
    again = runner.invoke(app, ["programme", "apply", str(EXAMPLE)])
    assert "unchanged, still version 1" in again.output

    changed = tmp_path / "changed.yaml"
    changed.write_text(EXAMPLE.read_text().replace("goal: 9", "goal: 10"))
    assert "applied version 2" in runner.invoke(app, ["programme", "apply", str(changed)]).output
    versions = runner.invoke(app, ["programme", "versions"], terminal_width=200)
    assert versions.exit_code == 0
    diff = runner.invoke(app, ["programme", "diff", "1", "2"], terminal_width=200)
    assert diff.exit_code == 0, diff.output
    assert "~ rules[coffee-stamps].effect.goal: 9 -> 10" in diff.output


def test_the_published_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "programme.schema.json").read_text())
    assert committed == schema(), "docs/programme.schema.json is stale: run `make docs-api`"
