"""``loyalo finance``: the financial model as an Excel workbook with live formulas."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from loyalo.adapters.finance_workbook.inputs import parse_inputs
from loyalo.adapters.finance_workbook.workbook import LedgerActuals, write_workbook
from loyalo.application.finance.service import LedgerPosition
from loyalo.bootstrap.container import build
from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.model import FinancialInputs, project

finance_app = typer.Typer(help="Liability, breakage and the financial model.", no_args_is_help=True)
out = Console()


@finance_app.command("workbook")
def finance_workbook(
    out_path: Annotated[Path, typer.Option("--out", help="The .xlsx file to write")],
    inputs_path: Annotated[
        Path | None, typer.Option("--inputs", help="YAML with the inputs to change")
    ] = None,
    from_ledger: Annotated[
        bool,
        typer.Option(
            "--from-ledger",
            help="Liability today, point value, earning and redemption rates from the ledger",
        ),
    ] = False,
) -> None:
    """Write Inputs, Accrual & burn, Liability and ROI sheets; every result is a formula."""
    try:
        inputs = parse_inputs(inputs_path.read_text()) if inputs_path else FinancialInputs()
        actuals = None
        if from_ledger:
            inputs, actuals = _from_ledger(inputs)
    except InvalidInput as exc:
        out.print(f"[red]{exc.detail}[/]")
        raise typer.Exit(2) from exc
    write_workbook(out_path, inputs, actuals)
    result = project(inputs)
    roi = f"{result.roi:.2%}" if result.roi is not None else "n/a"
    lift = f"{result.break_even_lift:.2%}" if result.break_even_lift is not None else "none"
    out.print(f"wrote {out_path}: {inputs.months} months, ROI {roi}, break-even lift {lift}")


def _from_ledger(inputs: FinancialInputs) -> tuple[FinancialInputs, LedgerActuals]:
    container = build(migrate=True)
    try:
        position = container.finance.position()
    finally:
        container.close()
    return position.model_inputs(inputs), ledger_actuals(position)


def ledger_actuals(position: LedgerPosition) -> LedgerActuals:
    liability, breakage = position.liability, position.breakage
    totals = breakage.totals
    return LedgerActuals(
        as_of=liability.liability.as_of,
        currency=liability.currency,
        liability_points=liability.liability.outstanding.liability,
        liability_value=liability.liability.value.as_decimal(),
        issued=totals.issued,
        redeemed=totals.redeemed,
        expired=totals.expired,
        observed_breakage_rate=totals.breakage_rate,
        forecast_breakage_rate=breakage.forecast.breakage_rate,
    )
