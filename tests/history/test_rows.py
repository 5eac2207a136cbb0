"""Reading history lines: layouts, money, times, members, and what is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from loyalo.domain.history.rows import LAYOUTS, BadRow, Layout, RowReader, detect_layout

LONDON = ZoneInfo("Europe/London")
ONLINE = RowReader(LAYOUTS[Layout.ONLINE_RETAIL], exponent=2, zone=LONDON)
OWN = RowReader(LAYOUTS[Layout.LOYALO], exponent=2, zone=LONDON)


def _online(**changes: str) -> dict[str, str]:
    row = {
        "InvoiceNo": "536365",
        "StockCode": "85123A",
        "Description": "WHITE HANGING HEART T-LIGHT HOLDER",
        "Quantity": "6",
        "InvoiceDate": "2010-12-01 08:26:00",
        "UnitPrice": "2.55",
        "CustomerID": "17850.0",
        "Country": "United Kingdom",
    }
    return {**row, **changes}


def test_an_online_retail_line() -> None:
    line = ONLINE.read(1, _online())
    assert (line.receipt_id, line.sku, line.quantity, line.unit_price_minor) == (
        "536365",
        "85123A",
        6,
        255,
    )
    assert line.member == "17850"  # written as a float by the tool that exported it
    assert line.occurred_at == datetime(2010, 12, 1, 8, 26, tzinfo=LONDON)
    assert line.country == "United Kingdom"
    assert not line.is_return


@pytest.mark.parametrize(
    ("price", "minor"),
    [("2.55", 255), ("0.001", 0), ("0.005", 1), ("0.015", 2), ("11062.06", 1106206), ("0", 0)],
)
def test_unit_prices_round_half_up_to_minor_units(price: str, minor: int) -> None:
    assert ONLINE.read(1, _online(UnitPrice=price)).unit_price_minor == minor


@pytest.mark.parametrize(
    ("changes", "member", "is_return"),
    [
        ({"CustomerID": ""}, None, False),
        ({"CustomerID": "12346"}, "12346", False),
        ({"InvoiceNo": "C536379", "Quantity": "-1"}, "17850", True),
    ],
)
def test_members_and_returns(changes: dict[str, str], member: str | None, is_return: bool) -> None:
    line = ONLINE.read(1, _online(**changes))
    assert (line.member, line.is_return) == (member, is_return)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Quantity": "2.5"}, "quantity '2.5' is not a whole number"),
        ({"Quantity": "six"}, "quantity 'six' is not a number"),
        ({"UnitPrice": "abc"}, "unit price 'abc' is not a number"),
        ({"UnitPrice": "NaN"}, "unit price 'NaN' is not a number"),
        ({"InvoiceDate": "01/12/2010 08:26"}, "is not an ISO date and time"),
        ({"StockCode": " "}, "StockCode is empty"),
        ({"InvoiceNo": ""}, "InvoiceNo is empty"),
    ],
)
def test_unreadable_fields_are_named(changes: dict[str, str], message: str) -> None:
    with pytest.raises(BadRow, match=message):
        ONLINE.read(1, _online(**changes))


def test_loyalo_layout_with_an_offset_and_a_store() -> None:
    row = {
        "receipt_id": "R-1",
        "occurred_at": "2026-11-22T10:00:00+01:00",
        "member": "shop-000001",
        "sku": "123",
        "quantity": "-2",
        "unit_price": "12.00",
        "store_id": "waw-01",
        "category": "coffee",
    }
    line = OWN.read(7, row)
    assert line.occurred_at == datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert (line.line_no, line.store_id, line.category, line.is_return) == (
        7,
        "waw-01",
        "coffee",
        True,
    )


@pytest.mark.parametrize(
    ("header", "layout"),
    [
        (list(_online()), Layout.ONLINE_RETAIL),
        (["receipt_id", "occurred_at", "member", "sku", "quantity", "unit_price"], Layout.LOYALO),
        ([" receipt_id", "occurred_at ", "member", "sku", "quantity", "unit_price"], Layout.LOYALO),
    ],
)
def test_layouts_are_told_apart_by_the_header(header: list[str], layout: Layout) -> None:
    assert detect_layout(header) is layout


def test_an_unknown_header_says_what_is_expected() -> None:
    with pytest.raises(BadRow, match="InvoiceNo, StockCode"):
        detect_layout(["date", "amount"])
