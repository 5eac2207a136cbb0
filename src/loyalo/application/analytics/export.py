"""The incremental export: what is new in the transactional store, to the analytics sink.

Exactly once, whatever stops it, and whatever order concurrent transactions
commit in:

* Purchases, returns, events and non-member sales are exported by key: their
  recording time cannot serve as a mark (an import dates them, and their
  postings, in the past; on PostgreSQL a transaction may commit after a later
  one), so the export asks the store for its keys and writes only those the
  sink does not hold. A purchase's lines (a return's lines) are written with it.
* Ledger postings are exported by journal sequence, per member: each member's
  entries are numbered 1, 2, 3 … under the member's lock, and an entry can only
  be written after the one before it committed, so what any reader sees of a
  member's journal is always a prefix. The mark is the highest sequence
  exported for each member; the export takes the entries above it.
* Members (a small, mutable dimension) are rewritten whole.

Nothing is visible until the sink publishes every part together
(``AnalyticsSink.publish``); an export stopped before that leaves the previous
state exactly as it was, and the next one writes the same rows again, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from loyalo.application.analytics.ports import (
    CHAINED_TABLE,
    CHILD_TABLES,
    KEYED_TABLES,
    AnalyticsSink,
    AnalyticsSource,
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

        with self._ctx.uow() as uow:
            source = uow.analytics
            for table in KEYED_TABLES:
                self._export_keyed(source, table, keep)
            self._export_postings(source, keep)
            tiers = self._ctx.programmes.compiled(uow).document.tiers
            _in_parts(_with_tiers(source.members(), tiers), "members", keep, always=True)
        self._sink.publish(staged, ["members"], now)
        return report

    def _export_keyed(self, source: AnalyticsSource, table: str, keep: Keep) -> None:
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

    def _export_postings(self, source: AnalyticsSource, keep: Keep) -> None:
        exported = self._sink.exported_heads()
        behind = sorted(
            member
            for member, head in source.chain_heads().items()
            if head > exported.get(member, 0)
        )
        buffer: list[Row] = []
        for start in range(0, len(behind), KEYS_PER_QUERY):
            chunk = behind[start : start + KEYS_PER_QUERY]
            buffer.extend(source.postings_after({m: exported.get(m, 0) for m in chunk}))
            if len(buffer) >= PART_ROWS:
                keep(CHAINED_TABLE, buffer)
                buffer = []
        if buffer:
            keep(CHAINED_TABLE, buffer)


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
