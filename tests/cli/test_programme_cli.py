"""The programme CLI against a real database: validate, apply, versions, show, diff, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from loyalo.adapters.programme_files import schema
from loyalo.cli.main import app
from loyalo.domain.programme.document import ProgrammeDocument

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "programmes" / "example.yaml"


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")  # Rich tables: one row per line
    return CliRunner()


def programme(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["programme", *args])


def edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))  # the first place it is written
    return path


def line_of(path: Path, fragment: str) -> int:
    return next(n for n, text in enumerate(path.read_text().splitlines(), 1) if fragment in text)


def test_validate_summarises_a_valid_document(runner: CliRunner) -> None:
    result = programme(runner, "validate", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "valid Example café & shop: 3 rules, tiers Bronze, Silver, Gold, expiry none, "
        "pending 14 days"
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "fragment", "column", "message"),
    [
        ("goal: 9", "goal: 0", "rules[0].effect.goal", "goal: 0", 48, "greater than or equal to 1"),
        ("months: 12", "months: 0", "tiers.months", "months: 0", 11, "greater than or equal to 1"),
        ("currency: PLN", "currency: XYZ", "currency", "XYZ", 11, "unknown currency 'XYZ'"),
        ("policy: none", "policy: never", "expiry", "policy: never", 3, "does not match"),
        (
            'lines: line.category == "coffee"',
            'lines: line.category = "coffee"',
            "rules[0].lines",
            'line.category = "coffee"',
            12,
            "syntax error",
        ),
        (
            'lines: line.category == "coffee"',
            'lines: line.category == "coffee" and foo',
            "rules[0].lines",
            "and foo",
            42,  # the column of foo itself
            "unknown name 'foo'",
        ),
    ],
)
def test_validate_names_the_field_line_and_column(
    runner: CliRunner,
    tmp_path: Path,
    old: str,
    new: str,
    field: str,
    fragment: str,
    column: int,
    message: str,
) -> None:
    broken = edited(tmp_path, "broken.yaml", old, new)
    result = programme(runner, "validate", str(broken))
    assert result.exit_code == 1
    row = next(line for line in result.output.splitlines() if field in line)
    assert f"broken.yaml:{line_of(broken, fragment)}:{column} " in row
    assert message in row


def test_validate_reports_a_yaml_syntax_error_with_its_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = edited(tmp_path, "broken.yaml", "  months: 12\n", " months: 12\n")
    result = programme(runner, "validate", str(broken))
    assert result.exit_code == 1
    assert f"broken.yaml:{line_of(broken, ' months: 12')}:2 " in result.output
    assert "not valid YAML or JSON" in result.output


def test_validate_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = programme(runner, "validate", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 1
    assert "cannot read" in result.output


def test_apply_keeps_versions_and_diffs_them(runner: CliRunner, tmp_path: Path) -> None:
    first = programme(runner, "apply", str(EXAMPLE), "--note", "launch", "--actor", "ania")
    assert first.exit_code == 0, first.output
    assert first.output.startswith("applied version 1: Example café & shop: 3 rules")
    again = programme(runner, "apply", str(EXAMPLE))
    assert again.output.strip() == "unchanged, still version 1"

    changed = edited(tmp_path, "changed.yaml", "goal: 9", "goal: 10")
    assert programme(runner, "apply", str(changed)).output.startswith("applied version 2:")

    versions = programme(runner, "versions")
    assert versions.exit_code == 0, versions.output
    rows = [line for line in versions.output.splitlines() if line.startswith("│")]
    assert [row.split("│")[1].strip() for row in rows] == ["2", "1"]
    assert "ania" in rows[1]
    assert "launch" in rows[1]

    diff = programme(runner, "diff", "1", "2")
    assert diff.exit_code == 0, diff.output
    assert diff.output.splitlines() == ["~ rules[coffee-stamps].effect.goal: 9 -> 10"]
    assert programme(runner, "diff", "2", "2").output.splitlines() == ["(no changes)"]


def test_diff_between_a_version_and_a_file(runner: CliRunner, tmp_path: Path) -> None:
    programme(runner, "apply", str(EXAMPLE))
    richer = edited(
        tmp_path,
        "richer.yaml",
        "rules:\n",
        "rules:\n  - id: weekend-x2\n    name: Double points at weekends\n"
        "    effect: {type: multiplier, factor: 2}\n",
    )
    result = programme(runner, "diff", "1", str(richer))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["+ rule weekend-x2 (Double points at weekends)"]
    back = programme(runner, "diff", str(richer), str(EXAMPLE))
    assert back.output.splitlines() == ["- rule weekend-x2 (Double points at weekends)"]


def test_diff_and_show_of_an_unknown_version_fail_cleanly(runner: CliRunner) -> None:
    programme(runner, "apply", str(EXAMPLE))
    for args in (["diff", "1", "7"], ["show", "7"]):
        result = programme(runner, *args)
        assert result.exit_code == 1
        assert "no programme version 7" in result.output


def test_show_prints_the_document_in_force(runner: CliRunner) -> None:
    before = programme(runner, "show", "--format", "json")
    assert before.exit_code == 0, before.output
    assert json.loads(before.output) == {}  # version 0: the settings' defaults, all left out

    programme(runner, "apply", str(EXAMPLE))
    text = programme(runner, "show").output
    assert "threshold: 500\n" in text  # decimals read as numbers, not quoted strings
    shown = yaml.safe_load(text)
    assert shown["name"] == "Example café & shop"
    assert [rule["id"] for rule in shown["rules"]][:2] == ["coffee-stamps", "product-review"]
    as_json = json.loads(programme(runner, "show", "1", "--format", "json").output)
    assert ProgrammeDocument.model_validate(as_json) == ProgrammeDocument.model_validate(shown)


def test_what_show_prints_applies_again(runner: CliRunner, tmp_path: Path) -> None:
    programme(runner, "apply", str(EXAMPLE))
    for format, suffix in (("yaml", ".yaml"), ("json", ".json")):
        shown = tmp_path / f"shown{suffix}"
        shown.write_text(programme(runner, "show", "--format", format).output)
        result = programme(runner, "apply", str(shown))
        assert result.exit_code == 0, result.output
        assert "unchanged, still version 1" in result.output
    assert programme(runner, "show", "--format", "xml").exit_code == 2


def test_versions_before_anything_was_applied(runner: CliRunner) -> None:
    result = programme(runner, "versions")
    assert result.exit_code == 0
    assert "no version applied yet" in result.output


def test_schema_prints_the_published_schema(runner: CliRunner) -> None:
    result = programme(runner, "schema")
    assert json.loads(result.output) == schema()


def test_the_published_schema_is_current() -> None:
    committed = json.loads((ROOT / "docs" / "programme.schema.json").read_text())
    assert committed == schema(), "docs/programme.schema.json is stale: run `make docs-api`"
