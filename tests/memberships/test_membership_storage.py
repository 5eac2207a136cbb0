"""The membership tables as migrated: the history refuses edits; the tables match the models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DatabaseError

from loyalo.adapters.storage.tables import Base
from loyalo.application.memberships.service import PaymentCommand
from loyalo.bootstrap.container import Container
from tests.memberships.support import PROGRAMME
from tests.programme.support import apply, enrol

TABLES = {"memberships", "membership_events"}


def _paid_member(container: Container) -> str:
    apply(container, **PROGRAMME)
    member = enrol(container, email="store@example.pl")
    command = PaymentCommand(
        member=f"id:{member.member_id}",
        plan_id="club",
        amount_minor=1900,
        currency="PLN",
        paid_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        payment_reference="PAY-STORE",
    )
    with container.ctx.uow() as uow:
        container.memberships.pay(uow, command)
        uow.commit()
    return member.member_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE membership_events SET amount_minor = 1",
        "DELETE FROM membership_events",
    ],
)
def test_the_store_refuses_to_edit_the_history(
    container: Container, database_url: str, statement: str
) -> None:
    member_id = _paid_member(container)
    engine = create_engine(database_url)
    try:
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()

    with container.ctx.uow() as uow:
        (event,) = uow.memberships.events(member_id)
    assert event.amount_minor == 1900


def test_the_migrated_tables_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    ours = [d for d in differences if TABLES & _tables_named(d)]
    assert ours == []


def _tables_named(difference: object) -> set[str]:
    """The table names a difference (or a group of column differences) is about."""
    found: set[str] = set()
    items = difference if isinstance(difference, list) else [difference]
    for item in items:
        for part in item if isinstance(item, tuple) else (item,):
            name = getattr(part, "name", None) if not isinstance(part, str) else part
            table = getattr(getattr(part, "table", None), "name", None)
            found.update(n for n in (name, table) if isinstance(n, str))
    return found
