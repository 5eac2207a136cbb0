"""``loyalo partners settle``: the table, and the same figures as CSV."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from loyalo.application.partners.service import PartnerDraft
from loyalo.application.purchases import PurchaseCommand
from loyalo.application.reservations import ReserveCommand
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from loyalo.domain.access.roles import Role
from loyalo.domain.partners.partner import Rates
from loyalo.domain.purchases.basket import Line
from tests.programme.support import enrol

runner = CliRunner()


def _partner_with_activity(container: Container, partner_id: str, earn: str) -> None:
    partners, till = container.partners, container.partners.till
    rates = Rates(Decimal(earn), Decimal("0.05"), Decimal("0.1"))
    member = enrol(container, email=f"{partner_id}@example.pl")
    with container.ctx.uow() as uow:
        partners.create(uow, PartnerDraft(partner_id, partner_id.title(), "PLN", rates))
        sale = PurchaseCommand(
            member.member_id,
            "st-1",
            "R-1",
            "pos",
            container.ctx.clock.now(),
            "PLN",
            10_00,
            (Line("A", 1, 10_00),),
        )
        till.record_purchase(uow, partner_id, sale)
        hold = till.reserve(
            uow, partner_id, ReserveCommand(member.member_id, points=7, store_id="st-1")
        )
        till.commit(uow, partner_id, hold.hold.hold_id, None)
        uow.commit()


def test_settle_prints_and_writes_every_partner(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    _partner_with_activity(container, "fuelco", "2")
    _partner_with_activity(container, "bookco", "3")
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}
    out = tmp_path / "settlement.csv"

    result = runner.invoke(
        app,
        ["partners", "settle", "--from", "2026-03-01", "--to", "2026-03-01", "--csv", str(out)],
        env=env,
    )

    assert result.exit_code == 0, result.output
    assert "fuelco" in result.output
    assert "bookco" in result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [
        (r["partner"], r["points_issued"], r["points_redeemed"], r["owed_by_partner"], r["net"])
        for r in rows
    ] == [("bookco", "30", "7", "1.50", "0.80"), ("fuelco", "20", "7", "1.00", "0.30")]


def test_settle_one_partner_and_an_unknown_one(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    _partner_with_activity(container, "fuelco", "2")
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}
    args = ["partners", "settle", "--from", "2026-03-01", "--to", "2026-03-31"]

    one = runner.invoke(app, [*args, "--partner", "fuelco"], env=env)
    unknown = runner.invoke(app, [*args, "--partner", "nosuch"], env=env)

    assert one.exit_code == 0, one.output
    assert "fuelco" in one.output
    assert unknown.exit_code == 1
    assert "no partner nosuch" in unknown.output


def test_a_partner_key_from_the_command_line_acts_for_its_partner(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    _partner_with_activity(container, "fuelco", "2")
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(tmp_path)}

    made = runner.invoke(app, ["partners", "key", "--partner", "fuelco", "--name", "t"], env=env)
    unknown = runner.invoke(app, ["partners", "key", "--partner", "nosuch", "--name", "t"], env=env)
    unbound = runner.invoke(app, ["apikey", "create", "--role", "partner", "--name", "t"], env=env)

    assert made.exit_code == 0, made.output
    caller = container.access.authenticate(made.stdout.strip(), None)
    assert (caller.role, caller.partner_id) == (Role.PARTNER, "fuelco")
    assert unknown.exit_code == 1
    assert unbound.exit_code == 2
