"""The store's own guards on gift cards, and ``loyalo giftcards verify``, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from loyalo.application.giftcards.audit import verify_gift_cards
from loyalo.application.giftcards.service import IssueCommand
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from loyalo.domain.giftcards.card import GiftCard
from loyalo.domain.giftcards.movements import MovementSource

runner = CliRunner()


def _issue(container: Container, amount_minor: int) -> GiftCard:
    with container.ctx.uow() as uow:
        card = container.gift_cards.issue(uow, IssueCommand(amount_minor))
        uow.commit()
    return card


def _spent(container: Container, amount_minor: int) -> GiftCard:
    card = _issue(container, amount_minor)
    with container.ctx.uow() as uow:
        container.gift_cards.load(uow, card.code, 500, MovementSource(reference="top-up"))
        uow.commit()
    return card


def _execute(url: str, statement: str, *, lift_guard: bool = False) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if lift_guard and engine.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE gift_card_movements DISABLE TRIGGER USER"))
            elif lift_guard:
                connection.execute(text("DROP TRIGGER gift_card_movements_no_update"))
            connection.execute(text(statement))
            if lift_guard and engine.dialect.name == "postgresql":
                connection.execute(text("ALTER TABLE gift_card_movements ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    return {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}


def test_movements_cannot_be_changed_or_deleted(container: Container, database_url: str) -> None:
    _spent(container, 10000)
    for statement in (
        "UPDATE gift_card_movements SET amount_minor = amount_minor + 1",
        "DELETE FROM gift_card_movements",
    ):
        with pytest.raises(Exception, match="append-only"):
            _execute(database_url, statement)
    assert verify_gift_cards(container.ctx).ok


def test_the_store_refuses_a_negative_balance(container: Container, database_url: str) -> None:
    _issue(container, 10000)
    with pytest.raises(Exception, match=r"balance_not_negative|CHECK"):
        _execute(database_url, "UPDATE gift_cards SET balance_minor = -1")


def test_verify_passes_on_sound_cards(env: dict[str, str], container: Container) -> None:
    _spent(container, 10000)
    _issue(container, 2500)

    result = runner.invoke(app, ["giftcards", "verify"], env=env)

    assert result.exit_code == 0, result.output
    assert "2 cards verified" in result.stdout


def test_a_balance_edited_behind_the_movements_is_named(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    card = _spent(container, 10000)
    _issue(container, 2500)
    _execute(
        database_url,
        f"UPDATE gift_cards SET balance_minor = 99999 WHERE card_id = '{card.card_id}'",
    )

    result = runner.invoke(app, ["giftcards", "verify", "--json"], env=env)

    assert result.exit_code == 1, result.output
    assert card.card_id in result.stdout
    assert "stored balance 99999 != its movements 10500" in result.stdout
    assert '"cards_checked": 2' in result.stdout


def test_a_tampered_movement_is_named(
    env: dict[str, str], container: Container, database_url: str
) -> None:
    card = _spent(container, 10000)
    _execute(
        database_url,
        "UPDATE gift_card_movements SET amount_minor = 900, balance_after_minor = 10900 "
        f"WHERE card_id = '{card.card_id}' AND seq = 2",
        lift_guard=True,
    )

    result = runner.invoke(app, ["giftcards", "verify", "--json"], env=env)

    assert result.exit_code == 1, result.output
    assert '"seq": null' in result.stdout  # the chain adds up; the stored balance does not
    assert "stored balance 10500 != its movements 10900" in result.stdout
