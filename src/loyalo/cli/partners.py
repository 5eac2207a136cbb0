"""``loyalo partners settle``: what each partner and the programme owe each other."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from loyalo.bootstrap.container import build
from loyalo.domain.errors import DomainError
from loyalo.domain.money import Money
from loyalo.domain.partners.settlement import Settlement

partners_app = typer.Typer(help="Partners of a coalition programme.", no_args_is_help=True)

COLUMNS = (
    "partner",
    "currency",
    "from",
    "to",
    "points_issued",
    "points_taken_back",
    "points_issued_net",
    "points_redeemed",
    "owed_by_partner",
    "owed_to_partner",
    "net",
)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from exc


def _row(settlement: Settlement, first: date, last: date) -> list[str]:
    def money(minor: int) -> str:
        return str(Money(minor, settlement.currency))

    return [
        settlement.partner_id,
        settlement.currency,
        first.isoformat(),
        last.isoformat(),
        str(settlement.points_issued),
        str(settlement.points_taken_back),
        str(settlement.points_issued_net),
        str(settlement.points_redeemed),
        money(settlement.owed_by_partner_minor),
        money(settlement.owed_to_partner_minor),
        money(settlement.net_minor),
    ]


def _table(rows: list[list[str]], first: date, last: date) -> Table:
    table = Table(title=f"Partner settlement, {first} to {last}")
    for name in ("partner", "currency"):
        table.add_column(name)
    for name in COLUMNS[4:]:
        table.add_column(name.replace("_", " "), justify="right")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row[:2] + row[4:]))
    return table


@partners_app.command("settle")
def settle(
    first: Annotated[
        date,
        typer.Option(
            "--from",
            parser=_day,
            metavar="YYYY-MM-DD",
            help="The first day, in the programme's time zone",
        ),
    ],
    last: Annotated[
        date,
        typer.Option("--to", parser=_day, metavar="YYYY-MM-DD", help="The last day, included"),
    ],
    partner: Annotated[
        str | None, typer.Option(help="One partner's id; every partner otherwise")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the report to this CSV file")
    ] = None,
) -> None:
    """Points issued, taken back and redeemed per partner, and the money owed each way
    (net positive: the partner pays the programme)."""
    container = build(migrate=True)
    try:
        with container.ctx.uow() as uow:
            found = container.partners.settlements(uow, first, last, partner)
    except DomainError as exc:
        Console(stderr=True, highlight=False).print(f"[red]error[/] {escape(exc.detail)}")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    rows = [_row(settlement, first, last) for settlement in found]
    Console(highlight=False).print(_table(rows, first, last))
    if csv_path is not None:
        with csv_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            writer.writerows(rows)


@partners_app.command("key")
def key(
    partner: Annotated[str, typer.Option(help="The partner's id")],
    name: Annotated[str, typer.Option(help="Who uses it, e.g. 'FuelCo station 17'")],
) -> None:
    """Create an API key that acts for this partner only; print it (only the key) on stdout."""
    container = build(migrate=True)
    try:
        issued = container.partners.create_key(partner, name)
    except DomainError as exc:
        Console(stderr=True, highlight=False).print(f"[red]error[/] {escape(exc.detail)}")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    sys.stdout.write(issued.token + "\n")
