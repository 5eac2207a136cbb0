"""What the analytics export and the KPIs need: a source of rows, a sink, a query engine.

Rows travel as plain dictionaries of column name to value (str, int, bool,
aware UTC datetime or None); the column names of each table are in
``adapters/analytics/schema.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

Row = dict[str, Any]

KEYED_TABLES = ("purchases", "returns", "non_member_sales")
"""Tables without a recording time: exported by key, each key once (see the export)."""
RECORDED_TABLES = ("events", "postings")
"""Append-only tables with a recording time: exported by a high-water mark on it."""
CHILD_TABLES = {"purchases": "purchase_lines", "returns": "return_lines"}
"""Rows written with their parent, in the same part: a purchase's lines, a return's lines."""
DIMENSION_TABLES = ("members",)
"""Small and mutable: rewritten whole by every export."""
TABLES = (
    "purchases",
    "purchase_lines",
    "returns",
    "return_lines",
    "events",
    "postings",
    "members",
    "non_member_sales",
)


class AnalyticsSource(Protocol):
    """The transactional store, read for the export (``UnitOfWork.analytics``)."""

    def keys(self, table: str) -> set[str]: ...
    def keyed_rows(self, table: str, keys: Sequence[str]) -> dict[str, list[Row]]:
        """The rows of ``table`` with these keys, and of its child table, by table name."""
        ...

    def recorded_rows(self, table: str, since: datetime | None, until: datetime) -> Iterator[Row]:
        """Rows recorded at ``since`` (inclusive) or later and before ``until``."""
        ...

    def members(self) -> Iterator[Row]: ...


@dataclass(frozen=True, slots=True)
class Staged:
    """A part file written aside, not yet visible."""

    table: str
    name: str
    rows: int


@dataclass(frozen=True, slots=True)
class ExportState:
    """What the sink holds: each table's visible rows and each recorded table's mark."""

    rows: Mapping[str, int]
    marks: Mapping[str, datetime]
    exported_at: datetime | None


class AnalyticsSink(Protocol):
    """Where the export writes: part files made visible together, with the marks."""

    def exclusive(self) -> AbstractContextManager[None]:
        """Held for a whole export: one at a time."""
        ...

    def state(self) -> ExportState: ...
    def exported_keys(self, table: str) -> set[str]: ...
    def stage(self, table: str, rows: Sequence[Row]) -> Staged: ...
    def publish(
        self,
        staged: Sequence[Staged],
        marks: Mapping[str, datetime],
        replaced: Sequence[str],
        at: datetime,
    ) -> None:
        """Make the staged parts visible and move the marks, all at once or not at all.

        The parts of a table named in ``replaced`` take the place of its previous parts.
        """
        ...


class AnalyticsQueries(Protocol):
    """The analytics engine (DuckDB, or Spark): named portable queries over the sink."""

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]: ...


ExportProgress = Callable[[str, int], None]
"""Told each table's name and the rows written for it, as the export goes."""


@dataclass(slots=True)
class ExportReport:
    rows: dict[str, int] = field(default_factory=dict)
    marks: dict[str, datetime] = field(default_factory=dict)
    exported_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())
