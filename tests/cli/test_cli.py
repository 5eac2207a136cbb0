"""The command line: keys, verification of the ledger, jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from loyalo.application.access import KEY_PREFIX
from loyalo.application.members import MemberDraft
from loyalo.application.purchases import PurchaseCommand
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from loyalo.domain.access.roles import Role
from loyalo.domain.errors import Unauthenticated
from loyalo.domain.purchases.basket import Line

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}


def _member_with_purchases(container: Container, count: int) -> str:
    with container.ctx.uow() as uow:
        member = container.members.enrol(uow, MemberDraft(email="cli@example.pl"))
        uow.commit()
    for index in range(count):
        with container.ctx.uow() as uow:
            container.purchases.record(
                uow,
                PurchaseCommand(
                    member.member_id,
                    "s",
                    f"r{index}",
                    "pos",
                    container.ctx.clock.now(),
                    "PLN",
                    1000 * (index + 1),
                    (Line("A", 1, 1000 * (index + 1)),),
                ),
            )
            uow.commit()
    return member.member_id


def test_apikey_create_prints_only_the_key(env: dict[str, str], container: Container) -> None:
    result = runner.invoke(app, ["apikey", "create", "--role", "pos", "--name", "Till 1"], env=env)

    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith(f"{KEY_PREFIX}_")
    assert "\n" not in key
    assert container.access.authenticate(key, None).role is Role.POS


def test_apikey_list_and_revoke(env: dict[str, str], container: Container) -> None:
    issued = container.access.create_key("Till 9", Role.POS)

    revoked = runner.invoke(app, ["apikey", "revoke", issued.record_id], env=env)
    listed = runner.invoke(app, ["apikey", "list"], env=env)
    unknown = runner.invoke(app, ["apikey", "revoke", "nosuchkey"], env=env)

    assert revoked.exit_code == 0, revoked.output
    with pytest.raises(Unauthenticated):
        container.access.authenticate(issued.token, None)
    assert listed.exit_code == 0, listed.output
    row = next(line for line in listed.stdout.splitlines() if issued.record_id in line)
    assert "Till 9" in row
    assert "pos" in row
    assert issued.token.split("_", 2)[2] not in listed.stdout  # never the secret (may hold "_")
    assert unknown.exit_code == 1
    assert "no API key nosuchkey" in unknown.output


def test_verify_passes_on_a_sound_ledger(env: dict[str, str], container: Container) -> None:
    _member_with_purchases(container, 3)

    result = runner.invoke(app, ["ledger", "verify"], env=env)

    assert result.exit_code == 0, result.output
    assert "ledger OK" in result.stdout


def _tamper(url: str, statement: str) -> None:
    """What an attacker with database access would do: lift the guard and edit."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE journal_entries DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE journal_entries ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER journal_entries_no_update"))
            connection.execute(text(statement))
    engine.dispose()


def test_a_tampered_journal_row_is_named_by_verify(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    member_id = _member_with_purchases(container, 3)
    _tamper(
        database_url,
        f"UPDATE journal_entries SET store_id = 'elsewhere' "
        f"WHERE member_id = '{member_id}' AND seq = 2",
    )

    result = runner.invoke(app, ["ledger", "verify", "--json"], env=env)

    assert result.exit_code == 1, result.output
    assert '"seq": 2' in result.stdout
    assert "altered" in result.stdout
    assert member_id in result.stdout


def test_the_store_refuses_to_edit_the_ledger(container: Container, database_url: str) -> None:
    _member_with_purchases(container, 1)
    engine = create_engine(database_url)
    for statement in ("UPDATE postings SET points = points + 1", "DELETE FROM journal_entries"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()


def test_a_balance_edited_behind_the_ledger_is_found(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    member_id = _member_with_purchases(container, 2)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE member_balances SET available = available + 500 WHERE member_id = :m"),
            {"m": member_id},
        )
    engine.dispose()

    result = runner.invoke(app, ["ledger", "verify"], env=env)

    assert result.exit_code == 1
    assert "stored balance" in result.stdout


def test_jobs_run_is_idempotent(env: dict[str, str], container: Container) -> None:
    first = runner.invoke(app, ["jobs", "run"], env=env)
    second = runner.invoke(app, ["jobs", "run"], env=env)

    assert first.exit_code == second.exit_code == 0
    assert "entries written: 0" in second.stdout
