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

MARKED_TABLES = ("purchases", "returns", "events", "non_member_sales", "postings")
"""Append-only: exported from a mark (``ExportMark``), each row once (see the export)."""
CHILD_TABLES = {"purchases": "purchase_lines", "returns": "return_lines"}
"""Rows written with their parent, in the same part: a purchase's lines, a return's lines."""
DIMENSION_TABLES = ("members",)
"""Small and mutable: rewritten whole by an export that finds it changed (``MembersMark``)."""
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


@dataclass(frozen=True, slots=True)
class ExportMark:
    """How far one table is exported. The source gives it and reads it; to the application
    it is opaque.

    Every row the source numbers at or above ``position`` is new, except those whose keys
    are in ``band`` (exported already, though numbered at or above the position). ``witness``
    is what the source checks before it trusts the position again (the same database,
    numbered the same way).
    """

    position: int
    band: frozenset[str] = frozenset()
    witness: str = ""


@dataclass(frozen=True, slots=True)
class MembersMark:
    """What the members dimension in the sink was exported from.

    ``changes`` is the store's change marker for the rows the dimension is read from
    (members and their stored tiers), as the source gave it; ``tiers`` the programme's
    tier levels in order (a member without a stored tier, or with one the programme no
    longer has, is exported at the first level); ``digest`` a digest of the rows written.
    """

    changes: ExportMark
    tiers: tuple[str, ...] | None
    digest: str


@dataclass(frozen=True, slots=True)
class Marks:
    """Everything the sink publishes about where the export stands."""

    tables: Mapping[str, ExportMark] = field(default_factory=dict)
    members: MembersMark | None = None


class AnalyticsSource(Protocol):
    """The transactional store, read for the export (``UnitOfWork.analytics``).

    A table's rows are named by a key: a purchase, return or event id, a non-member
    sale's ``run:line``, a journal entry's id for its postings.
    """

    def pin_snapshot(self) -> None:
        """From here on every read sees one committed state. Called before the first read."""
        ...

    def mark(self, table: str) -> ExportMark:
        """Where the snapshot ends for ``table``: the next export starts from here."""
        ...

    def holds(self, table: str, mark: ExportMark) -> bool:
        """Whether ``mark`` still means what it meant when this store gave it."""
        ...

    def keys_since(self, table: str, mark: ExportMark) -> list[str]:
        """The keys of the rows past ``mark``, in the order they were recorded."""
        ...

    def keys(self, table: str) -> set[str]:
        """Every key of ``table``: for a sink that holds no mark yet."""
        ...

    def keyed_rows(self, table: str, keys: Sequence[str]) -> dict[str, list[Row]]:
        """The rows of ``table`` with these keys, and of its child table, by table name."""
        ...

    def members(self) -> Iterator[Row]:
        """Every member with the stored tier (None: none stored), in ``member_id`` order."""
        ...

    def members_mark(self) -> ExportMark:
        """The change marker of the members and their stored tiers at this snapshot."""
        ...

    def members_changed(self, mark: ExportMark) -> bool:
        """Whether a member or a stored tier may have changed since ``mark`` was given
        (True as well when the store cannot tell: a mark it does not recognise)."""
        ...


@dataclass(frozen=True, slots=True)
class Staged:
    """A part file written aside, not yet visible."""

    table: str
    name: str
    rows: int


@dataclass(frozen=True, slots=True)
class Compaction:
    """One table's small parts rewritten into fewer: the parts visible before and after,
    and the rows rewritten (the same rows, in the same order)."""

    table: str
    parts_before: int
    parts_after: int
    rows: int


CompactionProgress = Callable[[str, int, int], None]
"""Told a table's name, the small parts merged so far and how many it merges, as it goes."""


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
    def marks(self) -> Marks:
        """The marks published with the visible parts (none: a sink the export never marked)."""
        ...

    def exported_keys(self, table: str) -> set[str]:
        """Every key in the visible parts of ``table``: read only when it has no mark."""
        ...

    def stage(self, table: str, rows: Sequence[Row]) -> Staged: ...
    def discard(self, staged: Sequence[Staged]) -> None:
        """Remove parts staged but not to be published."""
        ...

    def publish(
        self, staged: Sequence[Staged], replaced: Sequence[str], at: datetime, marks: Marks
    ) -> list[Compaction]:
        """Make the staged parts and the marks visible, all at once or not at all.

        The parts of a table named in ``replaced`` take the place of its previous parts. A
        table whose small parts have piled up has them rewritten into one in the same step
        (the compactions made are returned).
        """
        ...

    def compact(self, at: datetime, progress: CompactionProgress | None = None) -> list[Compaction]:
        """Rewrite every table's small parts into as few as they fill, at once or not at all;
        the data and the marks stay as they are."""
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
    """What one export wrote: rows per table, and whether it published anything at all (an
    export that finds nothing new writes no file); ``exported_at``: the store holds what was
    committed by then."""

    rows: dict[str, int] = field(default_factory=dict)
    exported_at: datetime | None = None
    published: bool = False
    compacted: list[Compaction] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rows.values())
