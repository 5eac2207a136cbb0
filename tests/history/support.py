"""History files written by tests, and a GBP programme to import them under."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from loyalo.adapters.history_files import open_history
from loyalo.application.history.importer import ImportOptions, ImportProgress, ImportReport
from loyalo.bootstrap.container import Container
from tests.programme.support import apply

HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]

# (invoice, sku, quantity, date, unit price, customer, country)
SHOP = [
    ("1001", "A", 6, "2010-12-01 08:26:00", "2.50", "17850.0", "United Kingdom"),
    ("1002", "C", 3, "2010-12-01 09:00:00", "1.00", "", "United Kingdom"),
    ("1002", "D", -1, "2010-12-01 09:00:00", "0", "", "United Kingdom"),
    ("1003", "A", 10, "2010-12-02 10:00:00", "2.55", "13047.0", "France"),
    ("1003", "B", 1, "2010-12-02 10:00:00", "0.001", "13047.0", "France"),
    ("C1004", "A", -2, "2010-12-03 11:00:00", "2.50", "17850.0", "United Kingdom"),
    ("C1004", "Z", -1, "2010-12-03 11:00:00", "5.00", "17850.0", "United Kingdom"),
    ("1005", "A", 4, "2010-12-05 12:00:00", "2.50", "17850.0", "United Kingdom"),
    ("C1006", "A", -6, "2010-12-06 13:00:00", "2.50", "17850.0", "United Kingdom"),
]


def write_history(path: Path, rows: list[tuple[Any, ...]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for invoice, sku, quantity, date, price, customer, country in rows:
            writer.writerow([invoice, sku, f"item {sku}", quantity, date, price, customer, country])
    return path


def apply_gbp(container: Container, **changes: Any) -> None:
    document: dict[str, Any] = {
        "currency": "GBP",
        "timezone": "Europe/London",
        "earning": {"points": 1, "per": "1.00"},
    }
    apply(container, **{**document, **changes})


def run_import(
    container: Container,
    path: Path,
    progress: Any = None,
    **options: Any,
) -> ImportReport:
    callback: Any = progress
    return container.history.run(open_history(path), ImportOptions(**options), callback)


__all__ = ["ImportProgress"]
