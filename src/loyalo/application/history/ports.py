"""What the history import needs: a file to read, and a place for what earns nothing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from loyalo.domain.history.matching import Returnable
from loyalo.domain.history.rows import HistoryLine


class HistorySource(Protocol):
    """A history file: its identity, its header, its rows as text, how far it was read."""

    @property
    def name(self) -> str: ...
    @property
    def checksum(self) -> str: ...  # sha256 of the bytes: the same file resumes its run
    @property
    def size(self) -> int: ...  # bytes, for progress
    def header(self) -> list[str]: ...
    def rows(self) -> Iterator[tuple[int, dict[str, str]]]: ...  # (line number, row)
    def position(self) -> int: ...  # bytes read so far


@dataclass(frozen=True, slots=True)
class ImportRun:
    run_id: str
    source: str
    checksum: str
    started_at: datetime
    options: dict[str, Any]
    receipts_done: int = 0  # receipts finished, in the order the file gives them
    counts: dict[str, int] = field(default_factory=dict)
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class UnmatchedReturn:
    """Returned units no earlier receipt holds: kept for analytics, no points taken."""

    line_no: int
    member_id: str
    store_id: str
    receipt_id: str
    occurred_at: datetime
    sku: str
    quantity: int
    unit_price_minor: int


class HistoryRepository(Protocol):
    def run_for(self, checksum: str) -> ImportRun | None: ...
    def start_run(self, run: ImportRun) -> None: ...
    def checkpoint(
        self,
        run_id: str,
        expected_done: int,
        receipts_done: int,
        counts: dict[str, int],
        at: datetime,
        finished: bool,
    ) -> None:
        """Raises ImportConflict unless the run is still at ``expected_done``."""
        ...

    def add_non_member_lines(
        self, run_id: str, store_id: str, currency: str, lines: Sequence[HistoryLine]
    ) -> None: ...
    def add_unmatched(self, run_id: str, rows: Sequence[UnmatchedReturn]) -> None: ...
    def add_reject(self, run_id: str, line_no: int, receipt_id: str, reason: str) -> None: ...
    def return_imported(self, store_id: str, receipt_id: str) -> bool: ...
    def add_imported_return(
        self,
        store_id: str,
        receipt_id: str,
        member_id: str,
        run_id: str,
        occurred_at: datetime,
        matched: int,
        unmatched: int,
    ) -> None: ...
    def returnable(self, member_id: str, sku: str, before: datetime) -> list[Returnable]:
        """The member's earlier receipts with units of ``sku`` not yet returned."""
        ...
