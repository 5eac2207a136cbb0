"""One line of a history file, read from its columns.

Two layouts are understood, told apart by their header:

* ``online-retail``: ``InvoiceNo, StockCode, Description, Quantity, InvoiceDate,
  UnitPrice, CustomerID, Country`` (the UCI Online Retail set): a return is an
  invoice numbered ``C…`` with negative quantities; no customer id is a sale to
  someone who is not a member.
* ``loyalo``: ``receipt_id, occurred_at, member, sku, quantity, unit_price`` and
  optionally ``name, category, store_id, country``; negative quantities return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from zoneinfo import ZoneInfo


class BadRow(ValueError):
    """A line that cannot be read; the import reports it and goes on."""


class Layout(StrEnum):
    ONLINE_RETAIL = "online-retail"
    LOYALO = "loyalo"


@dataclass(frozen=True, slots=True)
class Columns:
    receipt: str
    sku: str
    quantity: str
    occurred_at: str
    unit_price: str
    member: str
    name: str | None = None
    category: str | None = None
    store: str | None = None
    country: str | None = None


LAYOUTS: Mapping[Layout, Columns] = {
    Layout.ONLINE_RETAIL: Columns(
        receipt="InvoiceNo",
        sku="StockCode",
        quantity="Quantity",
        occurred_at="InvoiceDate",
        unit_price="UnitPrice",
        member="CustomerID",
        name="Description",
        country="Country",
    ),
    Layout.LOYALO: Columns(
        receipt="receipt_id",
        sku="sku",
        quantity="quantity",
        occurred_at="occurred_at",
        unit_price="unit_price",
        member="member",
        name="name",
        category="category",
        store="store_id",
        country="country",
    ),
}


def detect_layout(header: Sequence[str]) -> Layout:
    names = {name.strip() for name in header}
    for layout, columns in LAYOUTS.items():
        required = {columns.receipt, columns.sku, columns.quantity, columns.occurred_at}
        if required | {columns.unit_price, columns.member} <= names:
            return layout
    raise BadRow(
        "the header matches no known layout: expected the Online Retail columns "
        "(InvoiceNo, StockCode, Quantity, InvoiceDate, UnitPrice, CustomerID) or "
        "receipt_id, occurred_at, member, sku, quantity, unit_price"
    )


@dataclass(frozen=True, slots=True)
class HistoryLine:
    line_no: int  # 1 is the first line after the header
    receipt_id: str
    sku: str
    quantity: int  # negative: returned
    unit_price_minor: int
    occurred_at: datetime  # timezone-aware
    member: str | None  # the member's external id; None: not a member
    name: str | None = None
    category: str | None = None
    store_id: str | None = None
    country: str | None = None

    @property
    def is_return(self) -> bool:
        return self.quantity < 0


@dataclass(frozen=True, slots=True)
class RowReader:
    """Turns a row of text fields into a HistoryLine in the programme's money and zone."""

    columns: Columns
    exponent: int  # the currency's minor-unit digits
    zone: ZoneInfo  # for times written without an offset

    def read(self, line_no: int, row: Mapping[str, str]) -> HistoryLine:
        c = self.columns
        receipt = _required(row, c.receipt)
        return HistoryLine(
            line_no=line_no,
            receipt_id=receipt,
            sku=_required(row, c.sku),
            quantity=_quantity(_required(row, c.quantity)),
            unit_price_minor=_minor(_required(row, c.unit_price), self.exponent),
            occurred_at=_moment(_required(row, c.occurred_at), self.zone),
            member=_member(row.get(c.member, "")),
            name=_optional(row, c.name, 200),
            category=_optional(row, c.category, 100),
            store_id=_optional(row, c.store, 64),
            country=_optional(row, c.country, 64),
        )


def _required(row: Mapping[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise BadRow(f"{column} is empty")
    return value


def _optional(row: Mapping[str, str], column: str | None, limit: int) -> str | None:
    if column is None:
        return None
    value = (row.get(column) or "").strip()
    return value[:limit] or None


def _quantity(text: str) -> int:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadRow(f"quantity {text!r} is not a number") from None
    if value != value.to_integral_value():
        raise BadRow(f"quantity {text!r} is not a whole number")
    return int(value)


def _minor(text: str, exponent: int) -> int:
    """A unit price in minor units, half up (0.001 GBP is 0 pence, 0.005 is 1)."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadRow(f"unit price {text!r} is not a number") from None
    if not value.is_finite():
        raise BadRow(f"unit price {text!r} is not a number")
    return int((value.scaleb(exponent)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _moment(text: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(f"date {text!r} is not an ISO date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _member(text: str) -> str | None:
    value = text.strip()
    if value.endswith(".0") and value[:-2].isdigit():  # pandas wrote the id as a float
        value = value[:-2]
    return value or None
