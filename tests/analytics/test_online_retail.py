"""The KPIs on the UCI Online Retail history, against pandas over the CSV itself, to the cent.

The history is imported once per session, and only December 2010 and January
2011 (about 77,600 of its 541,909 lines): the whole file takes minutes to
import, and two months are what January's figures need (December is
January's previous period, for growth and retention). It is imported under a
plain GBP programme (1 point per 1.00, no discounts), so what a member paid is
what the file says they bought. Expected values are computed here with pandas
from the file, apart from the importer's code: members are the customer ids
(enrolled at their first receipt, a return included), a purchase is an invoice
not starting with "C", its value the sum of its lines (quantity x unit price
rounded half up to the penny), non-members the lines without a customer id.
Returns are left out: which earlier receipt a return takes back is the
importer's matching, not something to rewrite here.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.analytics.filters import KpiFilters, Period
from tests.history.support import apply_gbp, run_import

ONLINE_RETAIL = (
    Path(__file__).resolve().parents[3] / "shared/data/online_retail/online_retail.csv.gz"
)
UNTIL = "2011-02-01"
JANUARY = Period(date(2011, 1, 1), date(2011, 1, 31))
DECEMBER_START = pd.Timestamp("2010-12-01")
JANUARY_START = pd.Timestamp("2011-01-01")
FEBRUARY_START = pd.Timestamp(UNTIL)


def _require_data() -> None:
    if not ONLINE_RETAIL.exists():
        message = f"{ONLINE_RETAIL} is not there (../shared/data beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _two_months(target: Path) -> Path:
    with gzip.open(ONLINE_RETAIL, "rt", newline="") as source, target.open("w", newline="") as out:
        reader = csv.reader(source)
        writer = csv.writer(out)
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[4] < UNTIL)
    return target


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    _require_data()
    folder = tmp_path_factory.mktemp("online_retail")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'retail.db'}")
    container = build(settings, migrate=True)
    apply_gbp(container)
    report = run_import(container, _two_months(folder / "two_months.csv"), currency="GBP")
    assert report.counts.get("rejected_receipts", 0) == 0
    container.analytics.export()
    yield container
    container.close()


def _pence(price: str) -> int:
    return int((Decimal(price) * 100).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    _require_data()
    frame = pd.read_csv(ONLINE_RETAIL, dtype=str, keep_default_na=False)
    frame["at"] = pd.to_datetime(frame["InvoiceDate"])
    frame = frame[frame["at"] < FEBRUARY_START].copy()
    frame["value"] = frame["Quantity"].astype(int) * frame["UnitPrice"].map(_pence)
    return frame


def _money(minor: int | Decimal, count: int) -> str | None:
    if count == 0:
        return None
    pence = (Decimal(minor) / count).quantize(Decimal(1), ROUND_HALF_UP)
    return f"{pence / 100:.2f}"


def _rate(part: int, whole: int) -> str | None:
    return None if whole == 0 else str((Decimal(part) / whole).quantize(Decimal("0.0001")))


def test_january_member_kpis_equal_pandas_over_the_file(
    imported: Container, lines: pd.DataFrame
) -> None:
    customers = lines[lines["CustomerID"] != ""]
    first_seen = customers.groupby("CustomerID")["at"].min()
    sales = (
        customers[~customers["InvoiceNo"].str.startswith("C")]
        .groupby("InvoiceNo")
        .agg(customer=("CustomerID", "first"), at=("at", "min"), value=("value", "sum"))
    )
    january = sales[sales["at"] >= JANUARY_START]
    december = sales[sales["at"] < JANUARY_START]
    active = set(january["customer"])
    previous = set(december["customer"])
    per_customer = january.groupby("customer").size()
    revenue = int(january["value"].sum())
    members_total = int((first_seen < FEBRUARY_START).sum())

    kpis = imported.analytics.member_kpis(JANUARY, KpiFilters())
    c = kpis.counts
    assert (c.members_total, c.members_new) == (
        members_total,
        int((first_seen >= JANUARY_START).sum()),
    )
    assert (c.active_members, c.active_members_previous, c.retained_members) == (
        len(active),
        len(previous),
        len(active & previous),
    )
    assert (c.orders, c.repeat_members, c.revenue_minor) == (
        len(january),
        int((per_customer >= 2).sum()),
        revenue,
    )
    assert c.engaged_members == len(active)  # no events in a sales history
    assert str(kpis.average_order_value) == _money(revenue, len(january))
    assert str(kpis.revenue_per_member) == _money(revenue, members_total)
    assert str(kpis.retention_rate) == _rate(len(active & previous), len(previous))
    assert str(kpis.repeat_purchase_rate) == _rate(int((per_customer >= 2).sum()), len(active))
    assert str(kpis.purchase_frequency) == _rate(len(january), len(active))
    assert len(january) > 500  # a real month, not an empty one


def test_january_members_against_non_members_equal_pandas(
    imported: Container, lines: pd.DataFrame
) -> None:
    january = lines[lines["at"] >= JANUARY_START]
    anonymous = january[(january["CustomerID"] == "") & (january["Quantity"].astype(int) > 0)]
    members = january[(january["CustomerID"] != "") & ~january["InvoiceNo"].str.startswith("C")]
    non_member_revenue = int(anonymous["value"].sum())
    non_member_orders = anonymous["InvoiceNo"].nunique()

    found = imported.analytics.members_vs_non_members(JANUARY, KpiFilters())
    assert (found.non_member_orders, found.non_member_revenue_minor) == (
        non_member_orders,
        non_member_revenue,
    )
    assert (found.member_orders, found.member_revenue_minor, found.members_buying) == (
        members["InvoiceNo"].nunique(),
        int(members["value"].sum()),
        members["CustomerID"].nunique(),
    )
    assert str(found.non_member_aov) == _money(non_member_revenue, non_member_orders)
    assert non_member_orders > 10
