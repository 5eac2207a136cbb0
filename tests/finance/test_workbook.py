"""The workbook: live formulas read back, recalculated with ``formulas`` to the model's
figures to the cent, an input changed in the workbook moving the results as in the model."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

import formulas
import openpyxl
import pytest
from typer.testing import CliRunner

from loyalo.adapters.finance_workbook.inputs import parse_inputs
from loyalo.adapters.finance_workbook.workbook import (
    ACCRUAL,
    ACCRUAL_COLUMNS,
    COLUMN_OF,
    DERIVED_BREAKAGE_ROW,
    INPUT_SPECS,
    INPUTS,
    LIABILITY,
    ROI,
    ROI_ROW_OF,
    write_workbook,
)
from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.model import FinancialInputs, FinancialResult, project
from tests.finance.test_ledger_figures import a_season
from tests.support.clock import FakeClock

CENT = Decimal("0.005")
INPUTS_MODEL = FinancialInputs(
    monthly_sales=Decimal("250000.00"),
    member_share=Decimal("0.55"),
    earn_points_per_unit=Decimal(1),
    point_value=Decimal("0.10"),
    redemption_rate=Decimal("0.75"),
    months_to_redeem=Decimal(7),
    gross_margin=Decimal("0.32"),
    fixed_costs=Decimal("4500.00"),
    incremental_lift=Decimal("0.12"),
    opening_liability=Decimal(150000),
    months=12,
)
SOFFICE = shutil.which("soffice")
INPUT_ROW = {spec.name: row for row, spec in enumerate(INPUT_SPECS, start=2)}


class Recalculated:
    """A workbook recalculated by the ``formulas`` package, cells by sheet and address."""

    def __init__(self, path: Path, changes: dict[str, float] | None = None) -> None:
        self._prefix = f"'[{path.name}]"
        model = formulas.ExcelModel().loads(str(path)).finish()
        overrides = {self._key(INPUTS, f"B{INPUT_ROW[k]}"): v for k, v in (changes or {}).items()}
        self._solution = model.calculate(inputs=overrides) if overrides else model.calculate()

    def _key(self, sheet: str, cell: str) -> str:
        return f"{self._prefix}{sheet.upper()}'!{cell}"

    def value(self, sheet: str, cell: str) -> Any:
        return self._solution[self._key(sheet, cell)].value[0][0]


class LibreOfficeRecalculated:
    """The workbook opened by headless LibreOffice, which recalculates it on load."""

    def __init__(self, path: Path, changes: dict[str, float] | None = None) -> None:
        source = path
        if changes:
            edited = openpyxl.load_workbook(path)
            for name, value in changes.items():
                edited[INPUTS][f"B{INPUT_ROW[name]}"] = value
            source = path.with_name(f"edited-{path.name}")
            edited.save(source)
        out = path.parent / "recalculated"
        subprocess.run(
            [
                SOFFICE or "soffice",
                f"-env:UserInstallation=file://{path.parent / 'lo-profile'}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(out),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self._book = openpyxl.load_workbook(out / source.name, data_only=True)

    def value(self, sheet: str, cell: str) -> Any:
        return self._book[sheet][cell].value


class Cells(Protocol):
    def value(self, sheet: str, cell: str) -> Any: ...


def assert_matches_model(book: Cells, result: FinancialResult) -> None:
    for row, month in enumerate(result.months, start=2):
        for column in ACCRUAL_COLUMNS:
            expected = (
                month.incremental_margin - month.cost_of_rewards - month.fixed_costs
                if column.key == "net"
                else Decimal(getattr(month, column.key))
            )
            found = Decimal(str(book.value(ACCRUAL, f"{COLUMN_OF[column.key]}{row}")))
            assert abs(found - expected) < CENT, (column.key, row, found, expected)
        liability = Decimal(str(book.value(LIABILITY, f"C{row}")))
        assert abs(liability - month.liability_value) < CENT
    for key, total in [
        ("cost", result.cost),
        ("incremental_margin", result.incremental_margin),
        ("break_even_sales", result.break_even_sales),
        ("closing_liability", result.months[-1].closing_liability),
        ("liability_value", result.months[-1].liability_value),
    ]:
        found = Decimal(str(book.value(ROI, f"B{ROI_ROW_OF[key]}")))
        assert total is not None
        assert abs(found - total) < CENT, (key, found, total)
    for key, ratio in [("roi", result.roi), ("break_even_lift", result.break_even_lift)]:
        assert ratio is not None
        found = Decimal(str(book.value(ROI, f"B{ROI_ROW_OF[key]}")))
        assert abs(found - ratio) < Decimal("1e-9"), (key, found, ratio)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("workbook") / "model.xlsx"
    write_workbook(path, INPUTS_MODEL)
    return path


def test_results_are_live_formulas_over_named_inputs(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == [INPUTS, ACCRUAL, LIABILITY, ROI]
    inputs = book[INPUTS]
    for spec in INPUT_SPECS:
        row = INPUT_ROW[spec.name]
        assert isinstance(inputs[f"B{row}"].value, int | float), spec.name
        assert inputs[f"B{row}"].comment is not None
        assert book.defined_names[spec.name].attr_text == f"'{INPUTS}'!$B${row}"
    assert inputs[f"B{DERIVED_BREAKAGE_ROW}"].value == "=1-redemption_rate"
    accrual = book[ACCRUAL]
    assert accrual.max_row == INPUTS_MODEL.months + 1
    for row in range(2, accrual.max_row + 1):
        for column in range(1, len(ACCRUAL_COLUMNS) + 1):
            value = accrual.cell(row=row, column=column).value
            assert isinstance(value, str), (row, column)
            assert value.startswith("="), (row, column)
    assert accrual["F3"].value == "=I2"  # the previous month's closing liability
    assert accrual["F2"].value == "=opening_liability"
    assert accrual.freeze_panes == "B2"
    roi = book[ROI]
    for row in ROI_ROW_OF.values():
        assert str(roi[f"B{row}"].value).startswith("=")
    assert len(book[LIABILITY]._charts) == 1
    assert accrual["J2"].number_format == "#,##0.00"


def test_recalculated_figures_equal_the_model_to_the_cent(workbook: Path) -> None:
    assert_matches_model(Recalculated(workbook), project(INPUTS_MODEL))


@pytest.mark.parametrize(
    "changes",
    [
        {"incremental_lift": Decimal("0.45")},  # the ROI turns positive
        {"redemption_rate": Decimal("0.5"), "months_to_redeem": Decimal(3)},
        {"monthly_sales": Decimal("90000"), "fixed_costs": Decimal(0)},
    ],
)
def test_an_input_changed_in_the_workbook_moves_the_results_as_in_the_model(
    workbook: Path, changes: dict[str, Decimal]
) -> None:
    book = Recalculated(workbook, {k: float(v) for k, v in changes.items()})
    changed = project(replace(INPUTS_MODEL, **changes))  # type: ignore[arg-type]
    assert changed.roi != project(INPUTS_MODEL).roi
    assert_matches_model(book, changed)


@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("CI"), reason="LibreOffice is not installed"
)
def test_libreoffice_recalculates_the_same_figures(tmp_path: Path) -> None:
    path = tmp_path / "model.xlsx"
    write_workbook(path, INPUTS_MODEL)
    assert_matches_model(LibreOfficeRecalculated(path), project(INPUTS_MODEL))
    changes = {"incremental_lift": Decimal("0.45"), "months_to_redeem": Decimal(3)}
    changed = LibreOfficeRecalculated(path, {k: float(v) for k, v in changes.items()})
    assert_matches_model(changed, project(replace(INPUTS_MODEL, **changes)))  # type: ignore[arg-type]


def test_no_break_even_reads_n_a(tmp_path: Path) -> None:
    path = tmp_path / "none.xlsx"
    write_workbook(path, replace(INPUTS_MODEL, gross_margin=Decimal("0.05")))
    book = Recalculated(path)
    assert book.value(ROI, f"B{ROI_ROW_OF['break_even_lift']}") == "n/a"
    assert book.value(ROI, f"B{ROI_ROW_OF['break_even_sales']}") == "n/a"


def test_inputs_file() -> None:
    parsed = parse_inputs("monthly_sales: 50000\nmember_share: 0.7\nmonths: 24\n")
    assert parsed == replace(
        FinancialInputs(), monthly_sales=Decimal(50000), member_share=Decimal("0.7"), months=24
    )
    with pytest.raises(InvalidInput, match="unknown input"):
        parse_inputs("monthly_sale: 1\n")
    with pytest.raises(InvalidInput, match="whole number"):
        parse_inputs("months: 1.5\n")
    with pytest.raises(InvalidInput, match="between 0 and 1"):
        parse_inputs("member_share: 60\n")


def test_the_command_takes_its_actuals_from_the_ledger(
    container: Container,
    clock: FakeClock,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_season(container, clock)
    monkeypatch.setenv("LOYALO_DATABASE_URL", database_url)
    monkeypatch.setenv("LOYALO_DATA_DIR", str(tmp_path))
    (tmp_path / "inputs.yaml").write_text("monthly_sales: 20000\nmonths: 6\n")
    out = tmp_path / "model.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "finance",
            "workbook",
            "--out",
            str(out),
            "--inputs",
            str(tmp_path / "inputs.yaml"),
            "--from-ledger",
        ],
    )
    assert result.exit_code == 0, result.output
    forecast = container.finance.breakage(as_of=datetime.now(UTC)).forecast
    inputs = openpyxl.load_workbook(out)[INPUTS]
    assert inputs[f"B{INPUT_ROW['monthly_sales']}"].value == 20000
    assert inputs[f"B{INPUT_ROW['opening_liability']}"].value == 110
    assert inputs[f"B{INPUT_ROW['point_value']}"].value == pytest.approx(0.1)
    assert inputs[f"B{INPUT_ROW['redemption_rate']}"].value == pytest.approx(
        float(forecast.ultimate_redemption_rate)
    )
    labels = [row[0].value for row in inputs.iter_rows(min_row=DERIVED_BREAKAGE_ROW + 1)]
    assert "Breakage observed (expired / issued)" in labels
    assert openpyxl.load_workbook(out)[ACCRUAL].max_row == 7


def test_the_command_refuses_a_bad_inputs_file(tmp_path: Path) -> None:
    (tmp_path / "inputs.yaml").write_text("margin: 0.3\n")
    result = CliRunner().invoke(
        app,
        [
            "finance",
            "workbook",
            "--out",
            str(tmp_path / "m.xlsx"),
            "--inputs",
            str(tmp_path / "inputs.yaml"),
        ],
    )
    assert result.exit_code == 2
    assert "unknown input" in result.output
    assert not (tmp_path / "m.xlsx").exists()
