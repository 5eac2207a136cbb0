"""``loyalo giftcards``: check that every card adds up."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from loyalo.application.giftcards.audit import verify_gift_cards
from loyalo.bootstrap.container import build

giftcards_app = typer.Typer(help="Gift cards.", no_args_is_help=True)
out = Console()


@giftcards_app.command("verify")
def giftcards_verify(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Recompute every card from its movements; name the first one that does not add up."""
    container = build(migrate=True)
    try:
        report = verify_gift_cards(container.ctx)
    finally:
        container.close()
    if as_json:
        findings = [
            {"card_id": f.card_id, "seq": f.seq, "problem": f.problem} for f in report.findings
        ]
        document = {"cards_checked": report.cards_checked, "findings": findings}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    elif report.ok:
        out.print(f"[green]gift cards OK[/]: {report.cards_checked} cards verified")
    else:
        table = Table("card", "seq", "problem", title="Gift card problems")
        for f in report.findings:
            table.add_row(f.card_id, str(f.seq or "-"), f.problem)
        out.print(table)
    raise typer.Exit(0 if report.ok else 1)
