"""Cohorts and RFM of the UCI Online Retail history, December 2010 to February 2011, against a
computation made here with pandas over the same CSV lines, to the penny.

The three months (105,335 lines, 3,385 member invoices) go through the importer under
``programmes/online_retail.yaml``; the report reads them back from the analytics store.
London is on GMT in those months, so the file's times are UTC.

Revenue is what members paid: the programme's one discount, free delivery for the Wholesale
tier, comes off. Which invoices got it is read from the purchases table (the CSV cannot say
who was Wholesale); what it came to is counted here, from the invoice's delivery lines.
"""

from __future__ import annotations

import csv
import gzip
import os
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import select

from loyalo.adapters.storage.tables import MemberRow, PurchaseRow
from loyalo.application.report.service import rfm_table
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import Period
from tests.history.support import run_import
from tests.programme.support import apply
from tests.support.clock import FakeClock

ROOT = Path(__file__).resolve().parents[2]
ONLINE_RETAIL = ROOT.parent / "shared/data/online_retail/online_retail.csv.gz"
PERIOD = Period(date(2010, 12, 1), date(2011, 2, 28))
END = "2011-03-01"
DELIVERY = ("POST", "DOT", "C2")  # the programme's delivery_skus

# The R-by-FM grid of docs/METRICS.md, typed again: rows FM 5 … 1, columns R 1 … 5.
GRID = """
cannot_lose_them at_risk loyal          champions           champions
cannot_lose_them at_risk loyal          loyal               champions
at_risk          at_risk need_attention potential_loyalists potential_loyalists
lost     hibernating about_to_sleep     potential_loyalists potential_loyalists
lost     hibernating about_to_sleep     promising           new
"""


@pytest.fixture(autouse=True)
def _data_beside_the_project() -> None:
    if not ONLINE_RETAIL.exists():
        message = f"{ONLINE_RETAIL} is not there (../shared/data beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _three_months(tmp_path: Path) -> Path:
    target = tmp_path / "online_retail_2010-12_2011-02.csv"
    with gzip.open(ONLINE_RETAIL, "rt", newline="") as source, target.open("w", newline="") as out:
        reader, writer = csv.reader(source), csv.writer(out)
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[4] < END)
    return target


def _invoices(path: Path, free_delivery: set[str]) -> pd.DataFrame:
    """One row per member invoice (not a return): customer, time, paid in pence."""
    lines = pd.read_csv(path, dtype={"InvoiceNo": str, "CustomerID": str, "UnitPrice": str})
    lines = lines[lines["CustomerID"].notna() & ~lines["InvoiceNo"].str.startswith("C")]
    pence = {
        p: int((Decimal(p) * 100).quantize(Decimal(1), ROUND_HALF_UP))
        for p in lines["UnitPrice"].unique()
    }
    lines = lines.assign(
        customer=lines["CustomerID"].str.removesuffix(".0"),
        at=pd.to_datetime(lines["InvoiceDate"]),
        value=lines["Quantity"] * lines["UnitPrice"].map(pence),
    )
    delivered_free = lines["InvoiceNo"].isin(free_delivery) & lines["StockCode"].isin(DELIVERY)
    lines = lines.assign(paid=lines["value"].where(~delivered_free, 0))
    return lines.groupby("InvoiceNo").agg(
        customer=("customer", "first"), at=("at", "min"), total=("paid", "sum")
    )


def _expected_cohorts(invoices: pd.DataFrame) -> list[tuple[object, ...]]:
    month = invoices["at"].dt.to_period("M")
    cohort = month.groupby(invoices["customer"]).transform("min")
    frame = invoices.assign(cohort=cohort, since=(month - cohort).map(lambda d: d.n))
    sizes = frame.groupby("cohort")["customer"].nunique()
    cells = frame.groupby(["cohort", "since"]).agg(
        active=("customer", "nunique"), revenue=("total", "sum")
    )
    rows = []
    for (c, since), cell in cells.iterrows():
        first = date(c.year, c.month, 1)
        members = int(sizes[c])
        active = int(cell["active"])
        rows.append((first, int(since), members, active, active / members, int(cell["revenue"])))
    return sorted(rows)


def _score(values: pd.Series) -> pd.Series:
    ranks = values.rank(method="min").astype(int)  # ties share their lowest rank
    return 1 + (5 * (ranks - 1)) // len(values)


def _expected_rfm(invoices: pd.DataFrame) -> list[tuple[object, ...]]:
    grid = [line.split() for line in GRID.strip().splitlines()]
    per = invoices.groupby("customer").agg(
        last=("at", "max"), frequency=("total", "size"), monetary=("total", "sum")
    )
    r, f, m = _score(per["last"]), _score(per["frequency"]), _score(per["monetary"])
    rows = []
    for customer in per.index:
        last = per.at[customer, "last"].date()
        fm = (f[customer] + m[customer]) // 2
        segment = grid[5 - fm][r[customer] - 1]
        rows.append(
            (
                customer,
                last,
                (PERIOD.last_day - last).days,
                int(per.at[customer, "frequency"]),
                int(per.at[customer, "monetary"]),
                int(r[customer]),
                int(f[customer]),
                int(m[customer]),
                segment,
            )
        )
    return sorted(rows)


def _discounted(container: Container) -> set[str]:
    with container.engine.connect() as connection:
        found = connection.execute(
            select(PurchaseRow.receipt_id).where(PurchaseRow.discount_minor != 0)
        )
        return {str(receipt) for (receipt,) in found}


def _customers(container: Container) -> dict[str, str]:
    with container.engine.connect() as connection:
        found = connection.execute(select(MemberRow.member_id, MemberRow.external_id))
        return {member_id: str(external) for member_id, external in found}


# SQLite only: the report reads the Parquet export, the same files whichever engine the import
# wrote (tests/history imports Online Retail on both); a second import costs CI two minutes.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cohorts_and_rfm_equal_an_independent_count(
    container: Container, clock: FakeClock, tmp_path: Path
) -> None:
    document = yaml.safe_load((ROOT / "programmes/online_retail.yaml").read_text())
    apply(container, **document)
    path = _three_months(tmp_path)
    report = run_import(container, path, currency="GBP")
    assert report.counts.get("rejected_receipts", 0) == 0
    free_delivery = _discounted(container)
    assert 0 < len(free_delivery) < 20
    invoices = _invoices(path, free_delivery)

    cohorts = container.report.cohorts(PERIOD)
    assert sorted(cohorts.rows) == _expected_cohorts(invoices)
    assert [row[0] for row in cohorts.rows[:1]] == [date(2010, 12, 1)]
    assert sum(int(str(row[5])) for row in cohorts.rows) == int(invoices["total"].sum())

    customers = _customers(container)
    table = rfm_table(container.report.rfm(PERIOD), PERIOD.last_day)
    found = sorted((customers[str(row[0])], *row[1:]) for row in table.rows)
    expected = _expected_rfm(invoices)
    assert len(found) == invoices["customer"].nunique() > 1_000
    assert found == expected
    assert {row[8] for row in found} >= {"champions", "lost", "new", "at_risk"}
