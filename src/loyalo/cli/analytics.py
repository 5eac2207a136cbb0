"""``loyalo analytics export``: what is new in the database, to the analytics store."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from loyalo.bootstrap.container import build

analytics_app = typer.Typer(help="The analytics store (Parquet, DuckDB).", no_args_is_help=True)
out = Console(stderr=True)


@analytics_app.command("export")
def analytics_export(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Export the purchases, returns, events, postings, members and non-member sales not yet
    exported to <data_dir>/analytics; each row once, and nothing visible until all is written."""
    container = build(migrate=True)
    try:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, console=out, disable=as_json) as progress:
            task = progress.add_task("exporting", total=None)
            written: dict[str, int] = {}

            def advance(table: str, rows: int) -> None:
                written[table] = written.get(table, 0) + rows
                summary = ", ".join(f"{name} {count:,}" for name, count in written.items())
                progress.update(task, description=f"exporting: {summary}")

            report = container.analytics.export(advance)
        root = container.analytics_store.warehouse.root
    finally:
        container.close()
    if as_json:
        document = {"root": str(root), "rows": report.rows, "exported_at": str(report.exported_at)}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    table = Table("table", "rows written", title=f"Analytics export to {root}")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    Console().print(table)
