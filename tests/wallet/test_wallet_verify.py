"""``loyalo ledger verify`` checks the wallet too; the store refuses to edit its entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from tests.programme.support import apply, enrol
from tests.wallet.support import BASKET_152, WALLET_CASHBACK, buy, spend

runner = CliRunner()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}


def _member_with_a_wallet(container: Container) -> str:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="verify@example.pl")
    buy(container, member, *BASKET_152)
    buy(container, member, *BASKET_152)
    spend(container, member, 300, "till-1")
    return member.member_id


def _tamper(url: str, statement: str) -> None:
    """What an attacker with database access would do: lift the guard and edit."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE wallet_postings DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE wallet_postings ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER wallet_postings_no_update"))
            connection.execute(text(statement))
    engine.dispose()


def test_verify_passes_on_a_sound_wallet(env: dict[str, str], container: Container) -> None:
    _member_with_a_wallet(container)

    result = runner.invoke(app, ["ledger", "verify"], env=env)

    assert result.exit_code == 0, result.output
    assert "ledger OK" in result.stdout


def test_a_tampered_wallet_posting_is_named_by_verify(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    member_id = _member_with_a_wallet(container)
    _tamper(
        database_url,
        "UPDATE wallet_postings SET amount_minor = amount_minor + 100 "
        f"WHERE member_id = '{member_id}' AND account = 'balance' AND amount_minor = -300",
    )

    result = runner.invoke(app, ["ledger", "verify", "--json"], env=env)

    assert result.exit_code == 1, result.output
    assert "wallet" in result.stdout
    assert '"seq": 3' in result.stdout
    assert member_id in result.stdout


def test_a_wallet_balance_edited_behind_its_entries_is_found(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    member_id = _member_with_a_wallet(container)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE member_wallets SET balance_minor = balance_minor + 500 WHERE member_id = :m"
            ),
            {"m": member_id},
        )
    engine.dispose()

    result = runner.invoke(app, ["ledger", "verify"], env=env)

    assert result.exit_code == 1
    assert "wallet: stored balance" in result.stdout


def test_the_store_refuses_to_edit_the_wallet(container: Container, database_url: str) -> None:
    _member_with_a_wallet(container)
    engine = create_engine(database_url)
    for statement in (
        "UPDATE wallet_postings SET amount_minor = amount_minor + 1",
        "UPDATE wallet_entries SET store_id = 'elsewhere'",
        "DELETE FROM wallet_postings",
        "DELETE FROM wallet_entries",
    ):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with pytest.raises(Exception, match="balance_not_negative"), engine.begin() as connection:
        connection.execute(text("UPDATE member_wallets SET balance_minor = -1"))
    engine.dispose()
