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

KEYED_TABLES = ("purchases", "returns", "events", "non_member_sales")
"""Exported by key, each key once (see the export)."""
CHAINED_TABLE = "postings"
"""Exported by each member's journal sequence: the high-water mark is per member."""
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

    def chain_heads(self) -> dict[str, int]:
        """Each member's last journal sequence number."""
        ...

    def postings_after(self, marks: Mapping[str, int]) -> list[Row]:
        """The postings of these members' journal entries with a sequence above their mark."""
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
    """What the sink holds: each table's visible rows, and when it was last published."""

    rows: Mapping[str, int]
    exported_at: datetime | None


class AnalyticsSink(Protocol):
    """Where the export writes: part files made visible together, with the marks."""

    def exclusive(self) -> AbstractContextManager[None]:
        """Held for a whole export: one at a time."""
        ...

    def state(self) -> ExportState: ...
    def exported_keys(self, table: str) -> set[str]: ...
    def exported_heads(self) -> dict[str, int]:
        """Each member's highest journal sequence already exported."""
        ...

    def stage(self, table: str, rows: Sequence[Row]) -> Staged: ...
    def publish(self, staged: Sequence[Staged], replaced: Sequence[str], at: datetime) -> None:
        """Make the staged parts visible, all at once or not at all.

        The parts of a table named in ``replaced`` take the place of its previous parts.
        """
        ...


class AnalyticsQueries(Protocol):
    """The analytics engine (DuckDB, or Spark): named portable queries over the sink."""

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]: ...
    def close(self) -> None:
        """Release the engine (a Spark session this object started); idempotent."""
        ...


ExportProgress = Callable[[str, int], None]
"""Told each table's name and the rows written for it, as the export goes."""


@dataclass(slots=True)
class ExportReport:
    rows: dict[str, int] = field(default_factory=dict)
    exported_at: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())
