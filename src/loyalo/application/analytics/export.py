"""The incremental export: what is new in the transactional store, to the analytics sink.

Exactly once, whatever stops it, and whatever order concurrent transactions
commit in; and the cost of finding what is new does not grow with the history.

* Purchases (with their lines), returns (with theirs), events, non-member sales
  and ledger postings (by journal entry) are append-only. Each is exported from a
  **mark** (``ExportMark``) published with the parts: a position in the order the
  store records rows, and a **band** of keys at or above that position already
  exported. The export reads the rows at or above the position, leaves out the
  band, and publishes the mark of its own snapshot. What the position is belongs
  to the source (``adapters/storage/analytics.py``):

  - SQLite serialises writers, so a table's ``rowid`` grows in commit order: the
    position is the highest rowid exported plus one, the band always empty.
  - PostgreSQL commits out of order: each row carries the id of the transaction
    that wrote it (``txid``). The position is the oldest transaction still running
    when the snapshot was taken (``pg_snapshot_xmin``): every older one has ended
    and none can start below it. Rows of newer transactions the snapshot already
    sees are exported at once, and their keys become the band, so the next export,
    which starts from that position again, does not write them twice. A long
    transaction anywhere in the cluster holds the position back, never the rows.

* A sink with no mark for a table (a warehouse written before marks, or a mark the
  source no longer trusts: another database, rows renumbered) is brought up to
  date once the old way, by the keys the store has and the sink lacks, and marked.
* Members (a small, mutable dimension) are rewritten whole.

Nothing is visible until the sink publishes every part and the marks together
(``AnalyticsSink.publish``); an export stopped before that leaves the previous
parts and marks exactly as they were, and the next one writes the same rows
again, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from loyalo.application.analytics.ports import (
    CHILD_TABLES,
    MARKED_TABLES,
    AnalyticsSink,
    AnalyticsSource,
    ExportMark,
    ExportProgress,
    ExportReport,
    Row,
    Staged,
)
from loyalo.application.context import AppContext
from loyalo.domain.programme.document.tiers import TierPolicy
from loyalo.domain.tiers.qualification import by_id

PART_ROWS = 200_000
KEYS_PER_QUERY = 500

StageHook = Callable[[Staged], None]
Keep = Callable[[str, Sequence[Row]], None]


class AnalyticsExporter:
    def __init__(self, ctx: AppContext, sink: AnalyticsSink) -> None:
        self._ctx = ctx
        self._sink = sink

    def run(
        self, progress: ExportProgress | None = None, on_staged: StageHook | None = None
    ) -> ExportReport:
        with self._sink.exclusive():
            return self._run(progress, on_staged)

    def _run(self, progress: ExportProgress | None, on_staged: StageHook | None) -> ExportReport:
        now = self._ctx.clock.now()
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

        previous = self._sink.marks()
        marks: dict[str, ExportMark] = {}
        with self._ctx.uow() as uow:
            source = uow.analytics
            source.pin_snapshot()
            for table in MARKED_TABLES:
                marks[table] = self._export_table(source, table, previous.get(table), keep)
            tiers = self._ctx.programmes.compiled(uow).document.tiers
            _in_parts(_with_tiers(source.members(), tiers), "members", keep, always=True)
        self._sink.publish(staged, ["members"], now, marks)
        return report

    def _export_table(
        self, source: AnalyticsSource, table: str, previous: ExportMark | None, keep: Keep
    ) -> ExportMark:
        """Write the rows of ``table`` the sink lacks; the mark the sink holds afterwards."""
        if previous is not None and source.holds(table, previous):
            new = source.keys_since(table, previous)
        else:
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
        return source.mark(table)


def _with_tiers(members: Iterable[Row], policy: TierPolicy | None) -> Iterator[Row]:
    """Each member's tier as the programme reads it: the stored one, or else the first level
    (a member holds the first level until a purchase or a review stores another)."""
    for row in members:
        if policy is not None:
            row["tier_id"] = by_id(policy, row["tier_id"]).id
        yield row


def _flush(buffers: dict[str, list[Row]], keep: Keep) -> None:
    for name, rows in buffers.items():
        if rows:
            keep(name, rows)
            buffers[name] = []


def _in_parts(rows: Iterable[Row], table: str, keep: Keep, always: bool = False) -> None:
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
