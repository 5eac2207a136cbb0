"""The financial model written as a workbook finance can change and trust.

Every figure outside the Inputs sheet is a formula over the named input cells and
the previous month's row, the same arithmetic as ``domain/finance/model.py``: change
an input and the months, the liability and the ROI follow. The horizon (the number
of month rows) is fixed when the workbook is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from loyalo.domain.finance.model import FinancialInputs

INPUTS = "Inputs"
ACCRUAL = "Accrual & burn"
LIABILITY = "Liability"
ROI = "ROI"

MONEY = "#,##0.00"
POINTS = "#,##0.00"
SHARE = "0.00%"
_HEADER = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_AUTHOR = "Loyalo"


@dataclass(frozen=True, slots=True)
class InputSpec:
    name: str  # the field and the cell's defined name
    label: str
    unit: str
    number_format: str
    note: str


INPUT_SPECS: tuple[InputSpec, ...] = (
    InputSpec("monthly_sales", "Monthly sales", "money", MONEY, "All sales, members or not."),
    InputSpec("member_share", "Share of sales by members", "share", SHARE, "Of monthly sales."),
    InputSpec(
        "earn_points_per_unit", "Earning rate", "points per 1.00", POINTS, "Points per 1.00 spent."
    ),
    InputSpec(
        "point_value", "Value of a point", "money", "0.0000", "Money one point pays when redeemed."
    ),
    InputSpec(
        "redemption_rate",
        "Expected redemption rate",
        "share",
        SHARE,
        "Share of issued points ever redeemed; the rest expire (breakage).",
    ),
    InputSpec(
        "months_to_redeem",
        "Average life of a point",
        "months",
        "0.0",
        "Each month 1/this of the opening liability is redeemed or expires.",
    ),
    InputSpec("gross_margin", "Gross margin", "share", SHARE, "Of sales."),
    InputSpec(
        "fixed_costs",
        "Programme fixed costs",
        "money per month",
        MONEY,
        "Platform, staff, communications.",
    ),
    InputSpec(
        "incremental_lift",
        "Incremental lift",
        "share",
        SHARE,
        "Extra member sales the programme or a new incentive must bring.",
    ),
    InputSpec(
        "opening_liability",
        "Opening liability",
        "points",
        POINTS,
        "Points outstanding at the start: available, pending and held.",
    ),
    InputSpec(
        "months",
        "Months modelled",
        "months",
        "0",
        "The number of month rows; fixed when the workbook is written.",
    ),
)
DERIVED_BREAKAGE_ROW = len(INPUT_SPECS) + 2


@dataclass(frozen=True, slots=True)
class AccrualColumn:
    key: str
    header: str
    number_format: str
    formula: str  # {r}: this row, {p}: the previous row; the first row uses ``first``
    first: str | None = None


ACCRUAL_COLUMNS: tuple[AccrualColumn, ...] = (
    AccrualColumn("month", "Month", "0", "=A{p}+1", "=1"),
    AccrualColumn("sales", "Sales", MONEY, "=monthly_sales"),
    AccrualColumn("member_sales", "Member sales", MONEY, "=B{r}*member_share"),
    AccrualColumn("incremental_sales", "Incremental sales", MONEY, "=C{r}*incremental_lift"),
    AccrualColumn("points_issued", "Points issued", POINTS, "=(C{r}+D{r})*earn_points_per_unit"),
    AccrualColumn("opening_liability", "Opening liability", POINTS, "=I{p}", "=opening_liability"),
    AccrualColumn(
        "points_redeemed", "Points redeemed", POINTS, "=F{r}/months_to_redeem*redemption_rate"
    ),
    AccrualColumn("points_expired", "Points expired", POINTS, "=F{r}/months_to_redeem-G{r}"),
    AccrualColumn("closing_liability", "Closing liability", POINTS, "=F{r}+E{r}-G{r}-H{r}"),
    AccrualColumn("liability_value", "Liability value", MONEY, "=I{r}*point_value"),
    AccrualColumn("redeemed_value", "Rewards redeemed", MONEY, "=G{r}*point_value"),
    AccrualColumn("cost_of_rewards", "Cost of rewards", MONEY, "=E{r}*point_value*redemption_rate"),
    AccrualColumn("fixed_costs", "Fixed costs", MONEY, "=fixed_costs"),
    AccrualColumn("incremental_margin", "Incremental margin", MONEY, "=D{r}*gross_margin"),
    AccrualColumn("net", "Net contribution", MONEY, "=N{r}-L{r}-M{r}"),
)
COLUMN_OF = {c.key: chr(ord("A") + i) for i, c in enumerate(ACCRUAL_COLUMNS)}


@dataclass(frozen=True, slots=True)
class LedgerActuals:
    """What the programme's own ledger says, written beside the inputs it set."""

    as_of: datetime
    currency: str
    liability_points: int
    liability_value: Decimal
    issued: int
    redeemed: int
    expired: int
    observed_breakage_rate: Decimal  # expired ÷ issued
    forecast_breakage_rate: Decimal  # never redeemed ÷ issued, by cohort


ROI_ROWS: tuple[tuple[str, str, str, str], ...] = (
    # key, label, number format, formula ({last}: the last month row)
    ("cost_of_rewards", "Cost of rewards (accrued)", MONEY, "=SUM('{a}'!L2:L{last})"),
    ("fixed_costs", "Fixed costs", MONEY, "=SUM('{a}'!M2:M{last})"),
    ("cost", "Total cost", MONEY, "=B2+B3"),
    ("incremental_sales", "Incremental sales", MONEY, "=SUM('{a}'!D2:D{last})"),
    ("incremental_margin", "Incremental margin", MONEY, "=SUM('{a}'!N2:N{last})"),
    ("roi", "ROI = (incremental margin - cost) / cost", SHARE, '=IF(B4>0,(B6-B4)/B4,"n/a")'),
    (
        "reward_cost_rate",
        "Cost of rewards per 1.00 of member sales",
        "0.0000",
        "=earn_points_per_unit*point_value*redemption_rate",
    ),
    (
        "break_even_lift",
        "Break-even lift",
        SHARE,
        "=IF(AND(monthly_sales*member_share>0,gross_margin-B8>0),"
        "(monthly_sales*member_share*B8+fixed_costs)"
        '/(monthly_sales*member_share*(gross_margin-B8)),"n/a")',
    ),
    (
        "break_even_sales",
        "Break-even incremental sales per month",
        MONEY,
        '=IF(ISNUMBER(B9),monthly_sales*member_share*B9,"n/a")',
    ),
    ("closing_liability", "Liability at the end (points)", POINTS, "='{a}'!I{last}"),
    ("liability_value", "Liability at the end (value)", MONEY, "='{a}'!J{last}"),
)
ROI_ROW_OF = {key: i + 2 for i, (key, *_rest) in enumerate(ROI_ROWS)}


def write_workbook(
    path: Path, inputs: FinancialInputs, actuals: LedgerActuals | None = None
) -> None:
    book = Workbook()
    _inputs_sheet(book, book.active, inputs, actuals)
    last = inputs.months + 1
    _accrual_sheet(book.create_sheet(ACCRUAL), last)
    _liability_sheet(book.create_sheet(LIABILITY), last)
    _roi_sheet(book.create_sheet(ROI), last)
    book.save(path)


def _header(sheet: Worksheet, labels: list[str], widths: list[int]) -> None:
    for column, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=column, value=label)
        cell.font, cell.fill = _HEADER, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _inputs_sheet(
    book: Workbook, sheet: Worksheet, inputs: FinancialInputs, actuals: LedgerActuals | None
) -> None:
    sheet.title = INPUTS
    _header(sheet, ["Input", "Value", "Unit", "Name"], [34, 16, 18, 22])
    for row, spec in enumerate(INPUT_SPECS, start=2):
        value = getattr(inputs, spec.name)
        _input_row(sheet, row, spec.label, float(value), spec.unit, spec.name, spec.number_format)
        sheet.cell(row=row, column=2).fill = _INPUT_FILL
        sheet.cell(row=row, column=2).comment = Comment(spec.note, _AUTHOR)
        _name(book, spec.name, row)
    breakage = DERIVED_BREAKAGE_ROW
    _input_row(sheet, breakage, "Breakage rate", "=1-redemption_rate", "share", "breakage_rate")
    sheet.cell(row=breakage, column=2).number_format = SHARE
    sheet.cell(row=breakage, column=2).comment = Comment("1 - redemption rate.", _AUTHOR)
    _name(book, "breakage_rate", breakage)
    if actuals is not None:
        _actuals(sheet, breakage + 2, actuals)


def _input_row(
    sheet: Worksheet,
    row: int,
    label: str,
    value: float | str,
    unit: str,
    name: str,
    number_format: str = "General",
) -> None:
    sheet.cell(row=row, column=1, value=label)
    cell = sheet.cell(row=row, column=2, value=value)
    cell.number_format = number_format
    sheet.cell(row=row, column=3, value=unit)
    sheet.cell(row=row, column=4, value=name)


def _name(book: Workbook, name: str, row: int) -> None:
    book.defined_names[name] = DefinedName(name, attr_text=f"'{INPUTS}'!$B${row}")


def _actuals(sheet: Worksheet, row: int, actuals: LedgerActuals) -> None:
    sheet.cell(row=row, column=1, value="From the ledger (values, not inputs)").font = Font(
        bold=True
    )
    figures: list[tuple[str, object, str]] = [
        ("As of (UTC)", actuals.as_of.astimezone(UTC).replace(tzinfo=None), "yyyy-mm-dd hh:mm"),
        ("Liability (points)", actuals.liability_points, "#,##0"),
        (f"Liability ({actuals.currency})", float(actuals.liability_value), MONEY),
        ("Points issued", actuals.issued, "#,##0"),
        ("Points redeemed", actuals.redeemed, "#,##0"),
        ("Points expired", actuals.expired, "#,##0"),
        ("Breakage observed (expired / issued)", float(actuals.observed_breakage_rate), SHARE),
        ("Breakage forecast by cohort", float(actuals.forecast_breakage_rate), SHARE),
    ]
    for offset, (label, value, number_format) in enumerate(figures, start=1):
        sheet.cell(row=row + offset, column=1, value=label)
        sheet.cell(row=row + offset, column=2, value=value).number_format = number_format


def _accrual_sheet(sheet: Worksheet, last: int) -> None:
    _header(sheet, [c.header for c in ACCRUAL_COLUMNS], [8] + [16] * (len(ACCRUAL_COLUMNS) - 1))
    sheet.freeze_panes = "B2"
    for row in range(2, last + 1):
        for index, column in enumerate(ACCRUAL_COLUMNS, start=1):
            template = column.first if row == 2 and column.first else column.formula
            cell = sheet.cell(row=row, column=index, value=template.format(r=row, p=row - 1))
            cell.number_format = column.number_format


def _liability_sheet(sheet: Worksheet, last: int) -> None:
    _header(
        sheet,
        ["Month", "Liability (points)", "Liability (value)", "Of which breakage"],
        [8, 18, 18, 18],
    )
    for row in range(2, last + 1):
        sheet.cell(row=row, column=1, value=f"='{ACCRUAL}'!A{row}")
        sheet.cell(row=row, column=2, value=f"='{ACCRUAL}'!I{row}").number_format = POINTS
        sheet.cell(row=row, column=3, value=f"='{ACCRUAL}'!J{row}").number_format = MONEY
        sheet.cell(row=row, column=4, value=f"=C{row}*breakage_rate").number_format = MONEY
    chart = LineChart()
    chart.title = "Liability by month"
    chart.y_axis.title = "Value"
    chart.x_axis.title = "Month"
    chart.add_data(Reference(sheet, min_col=3, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
    chart.height, chart.width = 9, 18
    sheet.add_chart(chart, "F2")


def _roi_sheet(sheet: Worksheet, last: int) -> None:
    _header(sheet, ["Figure", "Value"], [44, 18])
    for row, (_key, label, number_format, formula) in enumerate(ROI_ROWS, start=2):
        sheet.cell(row=row, column=1, value=label)
        value = formula.format(a=ACCRUAL, last=last)
        sheet.cell(row=row, column=2, value=value).number_format = number_format
