"""The incremental export: what is new in the transactional store, to the analytics sink.

Exactly once, whatever stops it:

* Purchases, returns and non-member sales carry no recording time (an import
  dates them in the past), so their mark is the set of keys already exported:
  the export asks the store for its keys and writes only the ones the sink does
  not hold. A purchase's lines (a return's lines) are written with it.
* Events and ledger postings are append-only with a recording time: the export
  takes those recorded from the previous mark up to ``now - settle`` and moves
  the mark there. The settle time covers a transaction that took its clock
  reading before an earlier one committed (PostgreSQL); it must exceed the
  longest write transaction. SQLite serialises writers, so it may be zero there.
* Members (a small, mutable dimension) are rewritten whole.

Nothing is visible until the sink publishes every part and the marks together
(``AnalyticsSink.publish``); an export stopped before that leaves the previous
state as it was, and the next one writes the same rows again, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta

from loyalo.application.analytics.ports import (
    CHILD_TABLES,
    KEYED_TABLES,
    RECORDED_TABLES,
    AnalyticsSink,
    AnalyticsSource,
    ExportProgress,
    ExportReport,
    Row,
    Staged,
)
from loyalo.application.context import AppContext

PART_ROWS = 200_000
KEYS_PER_QUERY = 500

StageHook = Callable[[Staged], None]


class AnalyticsExporter:
    def __init__(self, ctx: AppContext, sink: AnalyticsSink, settle_seconds: float = 0) -> None:
        self._ctx = ctx
        self._sink = sink
        self._settle = timedelta(seconds=settle_seconds)

    def run(
        self, progress: ExportProgress | None = None, on_staged: StageHook | None = None
    ) -> ExportReport:
        with self._sink.exclusive():
            return self._run(progress, on_staged)

    def _run(self, progress: ExportProgress | None, on_staged: StageHook | None) -> ExportReport:
        now = self._ctx.clock.now()
        until = now - self._settle
        state = self._sink.state()
        report = ExportReport(exported_at=now)
        staged: list[Staged] = []

        def keep(table: str, rows: Sequence[Row]) -> None:
            part = self._sink.stage(table, rows)
            staged.append(part)
            report.rows[table] = report.rows.get(table, 0) + part.rows
            if on_staged is not None:
                on_staged(part)
            if progress is not None:
                progress(table, part.rows)

        with self._ctx.uow() as uow:
            source = uow.analytics
            for table in KEYED_TABLES:
                self._export_keyed(source, table, keep)
            for table in RECORDED_TABLES:
                since = state.marks.get(table)
                _in_parts(source.recorded_rows(table, since, until), table, keep)
                report.marks[table] = until
            _in_parts(source.members(), "members", keep, always=True)
        self._sink.publish(staged, report.marks, ["members"], now)
        return report

    def _export_keyed(
        self, source: AnalyticsSource, table: str, keep: Callable[[str, Sequence[Row]], None]
    ) -> None:
        new = sorted(source.keys(table) - self._sink.exported_keys(table))
        child = CHILD_TABLES.get(table)
        buffers: dict[str, list[Row]] = {table: [], **({child: []} if child else {})}
        for start in range(0, len(new), KEYS_PER_QUERY):
            found = source.keyed_rows(table, new[start : start + KEYS_PER_QUERY])
            for name, rows in found.items():
                buffers[name].extend(rows)
            if len(buffers[table]) >= PART_ROWS:
                _flush(buffers, keep)
        _flush(buffers, keep)


def _flush(buffers: dict[str, list[Row]], keep: Callable[[str, Sequence[Row]], None]) -> None:
    for name, rows in buffers.items():
        if rows:
            keep(name, rows)
            buffers[name] = []


def _in_parts(
    rows: Iterable[Row],
    table: str,
    keep: Callable[[str, Sequence[Row]], None],
    always: bool = False,
) -> None:
    """Stage ``rows`` in parts of ``PART_ROWS``; ``always``: one empty part if there are none."""
    written = False
    for part in _chunks(iter(rows)):
        keep(table, part)
        written = True
    if always and not written:
        keep(table, [])


def _chunks(rows: Iterator[Row]) -> Iterator[list[Row]]:
    part: list[Row] = []
    for row in rows:
        part.append(row)
        if len(part) >= PART_ROWS:
            yield part
            part = []
    if part:
        yield part
