"""`loyalo coupons generate`: codes in a CSV file, all stored, or nothing on a refusal."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from loyalo.cli.main import app


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    return CliRunner()


def stored(database_url: str) -> list[tuple[str, int | None, str]]:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("select code, max_uses, kind from coupons order by code"))
        found = [(r.code, r.max_uses, r.kind) for r in rows]
    engine.dispose()
    return found


def test_codes_are_written_to_a_csv_file_and_stored(
    runner: CliRunner, database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "codes.csv"
    result = runner.invoke(
        app,
        [
            "coupons", "generate", "--count", "2500", "--out", str(out),
            "--pattern", "XMAS-####-####-####", "--percent", "10", "--maximum", "9.00",
            "--valid-until", "2026-12-31T00:00:00+00:00",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 2500
    assert len({row["code"] for row in rows}) == 2500
    assert all(row["code"].startswith("XMAS-") and len(row["code"]) == 19 for row in rows)
    assert {row["valid_until"] for row in rows} == {"2026-12-31T00:00:00+00:00"}
    codes = stored(database_url)
    assert sorted(row["code"] for row in rows) == [code for code, _, _ in codes]
    assert {(max_uses, kind) for _, max_uses, kind in codes} == {(1, "personal")}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pattern", "XMAS-####", "--percent", "10"], "at least 60"),
        (["--percent", "10", "--amount", "5"], "exactly one"),
        (["--kind", "shared", "--pattern", "AB-#", "--percent", "10"], "too few"),
    ],
)
def test_a_refusal_writes_no_code(
    runner: CliRunner, database_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["coupons", "generate", "--count", "5", "--out", str(out), *args])
    assert result.exit_code == 1
    assert message in result.output
    assert not out.exists()
    assert stored(database_url) == []
