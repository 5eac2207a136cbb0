"""``loyalo import``: purchase history from files, through the programme's rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from loyalo.adapters.history_files import open_history
from loyalo.application.history.importer import ImportOptions, ImportProgress, ImportReport
from loyalo.bootstrap.container import build
from loyalo.domain.errors import DomainError

import_app = typer.Typer(help="Import history from files.", no_args_is_help=True)

_LABELS = {
    "lines": "lines read",
    "purchases": "member purchases recorded",
    "points_earned": "points earned",
    "return_receipts": "member return receipts",
    "returns": "returns recorded (per original receipt)",
    "points_taken_back": "points taken back by returns",
    "returned_units_matched": "returned units matched to a sale",
    "returned_units_unmatched": "returned units with no earlier sale",
    "members_enrolled": "members enrolled",
    "non_member_receipts": "non-member receipts kept for analytics",
    "non_member_lines": "non-member lines kept for analytics",
    "tier_reviews": "tier reviews on their dates",
    "tier_downgrades": "tier downgrades at review",
    "job_entries": "ledger entries of daily jobs (matured, expired points)",
    "duplicate_receipts": "receipts already recorded (nothing earned again)",
    "rejected_receipts": "receipts refused",
    "rejected_lines": "lines in refused receipts",
}


@import_app.command("purchases")
def purchases(
    path: Annotated[Path, typer.Argument(help="CSV file, plain or .gz", show_default=False)],
    store: Annotated[
        str, typer.Option(help="Store id for receipts that name none (receipt ids are per store)")
    ] = "history",
    channel: Annotated[str, typer.Option(help="Channel the receipts are recorded on")] = "online",
    currency: Annotated[
        str | None,
        typer.Option(help="The file's currency; refused unless the programme in force uses it"),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Receipts per transaction (and checkpoint)")
    ] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Load historical purchases and returns through the programme in force.

    Two layouts are read, told apart by the header: the UCI Online Retail columns
    (InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice,
    CustomerID, Country; invoices "C…" are returns) and Loyalo's own
    (receipt_id, occurred_at, member, sku, quantity, unit_price[, name, category,
    store_id, country]; negative quantities are returns). Lines without a member
    are kept for analytics and earn nothing. Interrupted, the same command resumes
    after the last batch it committed; run again after it finished, it does nothing.
    """
    container = build(migrate=True)
    options = ImportOptions(
        store_id=store, channel=channel, currency=currency, batch_size=batch_size
    )
    try:
        source = open_history(path)
        with _bar() as bar:
            task = bar.add_task(f"importing {source.name}", total=source.size)

            def advance(progress: ImportProgress) -> None:
                bar.update(task, completed=progress.bytes_read, total=progress.bytes_total)

            report = container.history.run(source, options, advance)
    except DomainError as exc:
        Console(stderr=True).print(f"[red]error[/] {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(1) from exc
    finally:
        container.close()
    if as_json:
        sys.stdout.write(json.dumps(_document(report), indent=2) + "\n")
    else:
        _print(report)


def _bar() -> Progress:
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


def _document(report: ImportReport) -> dict[str, object]:
    return {
        "run_id": report.run_id,
        "source": report.source,
        "already_done": report.already_done,
        "resumed_after_receipts": report.resumed_at,
        "seconds": round(report.seconds, 3),
        "counts": report.counts,
        "rejects": [
            {"line": line, "receipt_id": receipt, "reason": reason}
            for line, receipt, reason in report.rejects
        ],
    }


def _print(report: ImportReport) -> None:
    console = Console()
    if report.already_done:
        console.print(f"{escape(report.source)} was imported already (run {report.run_id})")
    elif report.resumed_at:
        console.print(f"resumed after {report.resumed_at} receipts finished earlier")
    table = Table("", "count", title=f"Import of {escape(report.source)}")
    table.columns[1].justify = "right"
    for key, label in _LABELS.items():
        table.add_row(label, f"{report.counts.get(key, 0):,}")
    console.print(table)
    if report.rejects:
        refused = Table("line", "receipt", "reason", title="Refused receipts (first ones)")
        for line, receipt, reason in report.rejects:
            refused.add_row(str(line), escape(receipt), escape(reason))
        console.print(refused)
    if not report.already_done:
        console.print(f"done in {report.seconds:.1f} s")
