"""``loyalo analytics export`` and ``compact``: the analytics store's upkeep."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from loyalo.application.analytics.ports import Compaction
from loyalo.bootstrap.container import build

analytics_app = typer.Typer(help="The analytics store (Parquet, DuckDB).", no_args_is_help=True)
out = Console(stderr=True)
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output")]


@analytics_app.command("export")
def analytics_export(as_json: AsJson = False) -> None:
    """Export the purchases, returns, events, postings, members and non-member sales not yet
    exported to <data_dir>/analytics; each row once, and nothing visible until all is written.
    With nothing new, no file is written."""
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
        document = {
            "root": str(root),
            "rows": report.rows,
            "exported_at": str(report.exported_at),
            "published": report.published,
            "compacted": _compactions(report.compacted),
        }
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if not report.published:
        Console().print(f"Nothing new since the last export to {root}: no file written.")
        return
    table = Table("table", "rows written", title=f"Analytics export to {root}")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    Console().print(table)
    if report.compacted:
        Console().print(_compaction_table(report.compacted, "Compacted on the way"))


@analytics_app.command("compact")
def analytics_compact(as_json: AsJson = False) -> None:
    """Merge each table's small Parquet parts into as few as they fill (exports do it too once
    they pile up). The rows and the export's marks stay the same; the replaced files are
    removed ten minutes later, so queries already reading them finish."""
    container = build(migrate=True)
    try:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=out, disable=as_json) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(table: str, merged: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = progress.add_task(f"{table}: small parts merged", total=total)
                progress.update(tasks[table], completed=merged)

            compacted = container.analytics.compact(advance)
        root = container.analytics_store.warehouse.root
    finally:
        container.close()
    if as_json:
        document = {"root": str(root), "compacted": _compactions(compacted)}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    if not compacted:
        Console().print(f"Nothing to compact in {root}: no table has two small parts.")
        return
    Console().print(_compaction_table(compacted, f"Analytics store compacted: {root}"))


def _compactions(compacted: list[Compaction]) -> dict[str, dict[str, Any]]:
    return {
        c.table: {"parts_before": c.parts_before, "parts_after": c.parts_after, "rows": c.rows}
        for c in compacted
    }


def _compaction_table(compacted: list[Compaction], title: str) -> Table:
    table = Table("table", "parts before", "parts after", "rows rewritten", title=title)
    for c in compacted:
        table.add_row(c.table, f"{c.parts_before:,}", f"{c.parts_after:,}", f"{c.rows:,}")
    return table
