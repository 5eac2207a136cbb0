"""Every table behind the report's charts, as CSV and as Parquet."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from loyalo.domain.report.data import Cell, ReportData, Table


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def write_csv(table: Table, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.columns)
        writer.writerows([_csv_cell(cell) for cell in row] for row in table.rows)


def write_parquet(table: Table, path: Path) -> None:
    columns = {name: table.column(name) for name in table.columns}
    pq.write_table(pa.table(columns), path)


def write_tables(data: ReportData, directory: Path) -> list[Path]:
    """``<table>.csv`` and ``<table>.parquet`` for each table; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for table in data.tables():
        csv_path, parquet_path = (
            directory / f"{table.name}.csv",
            directory / f"{table.name}.parquet",
        )
        write_csv(table, csv_path)
        write_parquet(table, parquet_path)
        written += [csv_path, parquet_path]
    return written
