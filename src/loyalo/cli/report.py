"""``loyalo report``: the customer-base report as one offline HTML file, and its tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from loyalo.adapters.report.files import write_tables
from loyalo.adapters.report.html import render_html
from loyalo.bootstrap.container import build
from loyalo.domain.analytics.filters import DEFAULT_WINDOW_DAYS, Period
from loyalo.domain.errors import DomainError

err = Console(stderr=True, highlight=False)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date: write YYYY-MM-DD") from exc


def report(
    first: Annotated[
        date,
        typer.Option("--from", parser=_day, metavar="YYYY-MM-DD", help="The first day (UTC)"),
    ],
    last: Annotated[
        date,
        typer.Option("--to", parser=_day, metavar="YYYY-MM-DD", help="The last day, included"),
    ],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write")] = Path(
        "report.html"
    ),
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Also write every table behind a chart (CSV, Parquet)"),
    ] = None,
    window_days: Annotated[
        int,
        typer.Option("--window-days", help="Days before and after joining compared (1 to 366)"),
    ] = DEFAULT_WINDOW_DAYS,
) -> None:
    """Write a self-contained HTML report (KPI tiles, cohorts, points, liability, member value,
    RFM segments, spend around joining) that opens offline; optionally the tables behind its
    charts."""
    container = build(migrate=True)
    steps = 3 if data_dir is None else 4
    written: list[Path] = []
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    try:
        with progress:
            task = progress.add_task("refreshing the analytics store and querying", total=steps)
            data = container.report.build(Period(first, last), window_days=window_days)
            progress.update(task, advance=1, description="drawing the charts")
            page = render_html(data)
            progress.update(task, advance=1, description=f"writing {out}")
            out.write_text(page, encoding="utf-8")
            progress.update(task, advance=1)
            if data_dir is not None:
                progress.update(task, description=f"writing the tables to {data_dir}")
                written = write_tables(data, data_dir)
                progress.update(task, advance=1)
    except DomainError as exc:
        err.print(f"[red]error[/] {escape(exc.detail)}")
        raise typer.Exit(1) from exc
    finally:
        container.close()
    err.print(f"wrote {escape(str(out))}")
    if written:
        err.print(f"wrote {len(written)} files to {escape(str(data_dir))}")
