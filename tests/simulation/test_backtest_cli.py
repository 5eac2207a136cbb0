"""``loyalo programme simulate`` against a real database: the table, the JSON, the refusals,
and a database left exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from loyalo.adapters.storage.tables import Base
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from tests.simulation.support import World, item
from tests.support.clock import FakeClock

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "programmes" / "example.yaml"
YEAR = ["--from", "2026-01-01", "--to", "2026-12-31"]


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "250")  # Rich tables: one row per line
    return CliRunner()


@pytest.fixture
def world(container: Container, clock: FakeClock, runner: CliRunner) -> World:
    """The example programme live, and a little history: 3 members, 4 purchases, a return."""
    assert simulate(runner, "apply", str(EXAMPLE)).exit_code == 0
    world = World(container, clock)
    for name in ("ann", "bob", "cat"):
        world.enrol(name)
    bought = world.buy("ann", item("ESP", 1000, 2, "coffee"), item("BEANS", 40000, 1, "shop"))
    world.later(days=2)
    world.buy("bob", item("BEANS", 60000, 1, "shop"))
    world.buy("cat", item("ESP", 1000, 1, "coffee"))
    world.later(days=3)
    world.buy("ann", item("BEANS", 30000, 1, "shop"))
    world.give_back(bought, BEANS=1)
    world.event("bob", "review_posted", product="P-1")
    return world


def simulate(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["programme", *args])


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = EXAMPLE.read_text()
    assert old in text
    path = tmp_path / "candidate.yaml"
    path.write_text(text.replace(old, new))
    return path


def doubled(tmp_path: Path) -> Path:
    return edited(tmp_path, "points: 1                      # 1 point", "points: 2  # ")


def cells(output: str, label: str) -> list[str]:
    row = next(line for line in output.splitlines() if line.startswith(f"│ {label} "))
    return [cell.strip() for cell in row.strip("│").split("│")]


def test_the_comparison_as_a_table(runner: CliRunner, world: World, tmp_path: Path) -> None:
    result = simulate(runner, "simulate", str(doubled(tmp_path)), *YEAR)

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Backtest 2026-01-01 to 2026-12-31" in out
    assert cells(out, "purchases replayed") == ["purchases replayed", "4", "4", "0"]
    assert cells(out, "returns replayed") == ["returns replayed", "1", "1", "0"]
    live, candidate = (int(cells(out, "net points")[i].replace(",", "")) for i in (1, 2))
    assert candidate > live
    assert "The live replay matches the ledger" in out
    assert "tier at the end" in out
    assert "Top rules by cost" in out
    assert "base-rate: Base earning rate" in out
    assert "replaying the history" in result.stderr  # the progress bar, on stderr


def test_the_comparison_as_json(runner: CliRunner, world: World, tmp_path: Path) -> None:
    result = simulate(runner, "simulate", str(doubled(tmp_path)), *YEAR, "--json", "--top", "2")

    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    live, candidate = report["live"], report["candidate"]
    assert live["version"] == 1
    assert (live["purchases"], live["returns"], live["events"]) == (4, 1, 4)
    assert candidate["net_points"] - live["net_points"] == report["difference"]["net_points"]
    assert report["ledger"]["live_replay_matches"] is True
    assert report["ledger"]["net_points"] == live["net_points"]
    assert report["assumptions"]["redemption_rate"] == "0.7"
    assert len(report["top_rules"]) == 2
    assert report["top_rules"][0]["rule_id"] == "base-rate"
    assert set(live["tiers"]) == {"bronze", "silver", "gold"}
    assert report["currency"] == "PLN"
    assert isinstance(live["expected_cost"], str)  # money as decimal strings, as the API does


def test_the_candidate_is_the_file_and_the_live_side_is_any_version(
    runner: CliRunner, world: World, tmp_path: Path
) -> None:
    candidate = doubled(tmp_path)
    assert simulate(runner, "apply", str(candidate)).exit_code == 0  # version 2 now in force

    against_1 = json.loads(
        simulate(runner, "simulate", str(EXAMPLE), *YEAR, "--json", "--against", "1").stdout
    )
    in_force = json.loads(simulate(runner, "simulate", str(EXAMPLE), *YEAR, "--json").stdout)

    assert against_1["live"]["version"] == 1
    assert against_1["difference"]["net_points"] == 0
    assert in_force["live"]["version"] == 2
    assert in_force["difference"]["net_points"] < 0  # the example gives less than version 2
    assert in_force["ledger"]["live_replay_matches"] is False  # history recorded under v1
    assert in_force["ledger"]["purchases_by_version"] == {"1": 4}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--from", "2026-03-02", "--to", "2026-03-01"], 1, "starts (2026-03-02) after it ends"),
        (["--from", "2026-13-01", "--to", "2026-12-31"], 2, "'2026-13-01' is not a date"),
        (["--from", "yesterday", "--to", "2026-12-31"], 2, "write YYYY-MM-DD"),
        ([*YEAR, "--against", "9"], 1, "no programme version 9"),
        ([*YEAR, "--redemption-rate", "1.5"], 2, "not a share between 0 and 1"),
        ([*YEAR, "--redemption-rate", "lots"], 2, "'lots' is not a number"),
        ([*YEAR, "--top", "-1"], 2, "--top"),
        ([*YEAR, "--processes", "3"], 2, "--processes"),
        (["--to", "2026-12-31"], 2, "Missing option '--from'"),
    ],
)
def test_bad_input_is_refused_clearly(
    runner: CliRunner, world: World, args: list[str], code: int, message: str
) -> None:
    result = simulate(runner, "simulate", str(EXAMPLE), *args)

    assert result.exit_code == code, result.output
    assert message in " ".join(result.output.split())  # Rich may wrap a long message


def test_an_invalid_candidate_is_located(runner: CliRunner, world: World, tmp_path: Path) -> None:
    broken = edited(tmp_path, "goal: 9", "goal: 0")

    result = simulate(runner, "simulate", str(broken), *YEAR)

    assert result.exit_code == 1
    assert "invalid" in result.output
    line = next(n for n, text in enumerate(broken.read_text().splitlines(), 1) if "goal: 0" in text)
    assert f"candidate.yaml:{line}:" in result.output
    assert "rules[0].effect.goal" in result.output
    missing = simulate(runner, "simulate", str(tmp_path / "nowhere.yaml"), *YEAR)
    assert missing.exit_code == 1
    assert "cannot read" in missing.output


def _everything(container: Container) -> dict[str, list[tuple[Any, ...]]]:
    with container.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in Base.metadata.sorted_tables
        }


def test_nothing_is_written(runner: CliRunner, world: World, tmp_path: Path) -> None:
    before = _everything(world.container)
    assert before["journal_entries"]
    assert before["purchases"]
    assert before["member_tiers"]

    result = simulate(runner, "simulate", str(doubled(tmp_path)), *YEAR, "--json")

    assert result.exit_code == 0, result.output
    assert _everything(world.container) == before
