"""The UCI Online Retail history, its first 20,000 lines, against a count made here.

The whole file (541,909 lines) is imported by ``benchmarks/import.py``; the
figures are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import csv
import gzip
import itertools
import os
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from loyalo.adapters.storage.tables import NonMemberSaleRow, PurchaseRow
from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container
from tests.history.support import run_import
from tests.programme.support import apply

ONLINE_RETAIL = (
    Path(__file__).resolve().parents[3] / "shared/data/online_retail/online_retail.csv.gz"
)
LINES = 20_000


@pytest.fixture(autouse=True)
def _data_beside_the_project() -> None:
    if not ONLINE_RETAIL.exists():
        message = f"{ONLINE_RETAIL} is not there (../shared/data beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _sample(tmp_path: Path) -> Path:
    target = tmp_path / "online_retail_sample.csv"
    with gzip.open(ONLINE_RETAIL, "rt", newline="") as source, target.open("w") as out:
        out.writelines(itertools.islice(source, LINES + 1))
    return target


def _expected(path: Path) -> dict[str, int]:
    """Counted with the csv module, apart from the import's own code."""
    sales: dict[str, int] = defaultdict(int)
    customers, returns, non_member = set(), set(), 0
    with path.open(newline="") as file:
        for row in csv.DictReader(file):
            if not row["CustomerID"]:
                non_member += 1
                continue
            customers.add(row["CustomerID"])
            if row["InvoiceNo"].startswith("C"):
                returns.add(row["InvoiceNo"])
                continue
            pence = (Decimal(row["UnitPrice"]) * 100).quantize(Decimal(1), ROUND_HALF_UP)
            sales[row["InvoiceNo"]] += int(row["Quantity"]) * int(pence)
    return {
        "members": len(customers),
        "purchases": len(sales),
        "return_receipts": len(returns),
        "non_member_lines": non_member,
        "sales_minor": sum(sales.values()),
    }


def test_online_retail_history_imports_and_the_ledger_verifies(
    container: Container, tmp_path: Path
) -> None:
    apply(container, **_programme())
    path = _sample(tmp_path)
    expected = _expected(path)
    report = run_import(container, path, currency="GBP")

    counts = report.counts
    assert counts["lines"] == LINES
    assert counts.get("rejected_receipts", 0) == 0
    assert counts["members_enrolled"] == expected["members"]
    assert counts["purchases"] == expected["purchases"]
    assert counts["return_receipts"] == expected["return_receipts"]
    assert counts["non_member_lines"] == expected["non_member_lines"]
    assert counts["sales_minor"] == expected["sales_minor"]
    with container.engine.connect() as connection:
        assert (
            connection.scalar(select(func.sum(PurchaseRow.total_minor)))
            == (expected["sales_minor"])
        )
        assert (
            connection.scalar(select(func.count()).select_from(NonMemberSaleRow))
            == (expected["non_member_lines"])
        )
    assert counts["points_earned"] > 0
    assert counts["points_taken_back"] > 0
    assert verify_ledger(container.ctx).ok


def _programme() -> dict[str, object]:
    root = Path(__file__).resolve().parents[2]
    document: dict[str, object] = yaml.safe_load(
        (root / "programmes/online_retail.yaml").read_text()
    )
    return document
