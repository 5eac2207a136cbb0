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
* Members (a small, mutable dimension) are rewritten whole, but only when they may
  have changed: the store keeps a change marker of the rows they are read from
  (``AnalyticsSource.members_mark``), and the marks keep it with the programme's tier
  levels (a member without a stored tier is exported at the first level) and a
  digest of the rows written. An unchanged marker and the same levels: the members
  are not even read. Otherwise they are read and staged; rows identical to the
  digest's: the staged part is discarded.

Nothing is visible until the sink publishes every part and the marks together
(``AnalyticsSink.publish``); an export stopped before that leaves the previous
parts and marks exactly as they were, and the next one writes the same rows
again, once. An export that finds nothing new, whose marks were all trusted and
whose members were not read, publishes nothing: it writes no file at all, and
the store's freshness is kept in memory instead (``confirmed``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime

from loyalo.application.analytics.ports import (
    CHILD_TABLES,
    MARKED_TABLES,
    AnalyticsSink,
    AnalyticsSource,
    Compaction,
    CompactionProgress,
    ExportMark,
    ExportProgress,
    ExportReport,
    ExportState,
    Marks,
    MembersMark,
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
Accept = Callable[[Staged], None]


class AnalyticsExporter:
    def __init__(self, ctx: AppContext, sink: AnalyticsSink) -> None:
        self._ctx = ctx
        self._sink = sink
        # (the publish found current, when): an export that writes nothing still vouches
        # that the store holds what was committed by the time it ran
        self._confirmed: tuple[datetime | None, datetime] | None = None

    def run(
        self, progress: ExportProgress | None = None, on_staged: StageHook | None = None
    ) -> ExportReport:
        with self._sink.exclusive():
            return self._run(progress, on_staged)

    def compact(self, progress: CompactionProgress | None = None) -> list[Compaction]:
        """Every table's small parts merged now (an operator's command), between exports."""
        with self._sink.exclusive():
            return self._sink.compact(self._ctx.clock.now(), progress)

    def freshness(self) -> ExportState:
        """What the sink holds, and since when: the last publish, or later when an export
        of this process found nothing new after it (and so published nothing)."""
        state = self._sink.state()
        confirmed = self._confirmed
        if confirmed is None or state.exported_at is None or confirmed[0] != state.exported_at:
            return state  # never published, or published since (here or by another process)
        return replace(state, exported_at=max(state.exported_at, confirmed[1]))

    def _run(self, progress: ExportProgress | None, on_staged: StageHook | None) -> ExportReport:
        now = self._ctx.clock.now()
        report = ExportReport(exported_at=now)
        staged: list[Staged] = []

        def accept(part: Staged) -> None:
            staged.append(part)
            report.rows[part.table] = report.rows.get(part.table, 0) + part.rows
            if on_staged is not None:
                on_staged(part)
            if progress is not None:
                progress(part.table, part.rows)

        def keep(table: str, rows: Sequence[Row]) -> None:
            accept(self._sink.stage(table, rows))

        previous = self._sink.marks()
        tables: dict[str, ExportMark] = {}
        with self._ctx.uow() as uow:
            source = uow.analytics
            source.pin_snapshot()
            trusted = True
            for table in MARKED_TABLES:
                mark = previous.tables.get(table)
                if mark is not None and not source.holds(table, mark):
                    mark = None
                trusted = trusted and mark is not None
                tables[table] = self._export_table(source, table, mark, keep)
            policy = self._ctx.programmes.compiled(uow).document.tiers
            members = self._export_members(source, policy, previous.members, accept)
        if not staged and trusted and members == previous.members:
            self._confirmed = (self._sink.state().exported_at, now)
            return report
        replaced = ["members"] if "members" in report.rows else []
        report.compacted = self._sink.publish(staged, replaced, now, Marks(tables, members))
        report.published = True
        self._confirmed = None
        return report

    def _export_table(
        self, source: AnalyticsSource, table: str, previous: ExportMark | None, keep: Keep
    ) -> ExportMark:
        """Write the rows of ``table`` the sink lacks (from ``previous``, a mark the source
        trusts, or else by keys); the mark the sink holds afterwards."""
        if previous is not None:
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

    def _export_members(
        self,
        source: AnalyticsSource,
        policy: TierPolicy | None,
        previous: MembersMark | None,
        accept: Accept,
    ) -> MembersMark:
        """The members, when they may have changed and differ from what the sink holds; the
        mark the sink holds afterwards (``previous`` itself when they were not read)."""
        tiers = None if policy is None else tuple(level.id for level in policy.levels)
        if (
            previous is not None
            and previous.tiers == tiers
            and not source.members_changed(previous.changes)
        ):
            return previous
        changes = source.members_mark()
        digest = hashlib.sha256()
        parts: list[Staged] = []
        for rows in _chunks(_with_tiers(source.members(), policy), always=True):
            for row in rows:
                digest.update(repr(list(row.items())).encode())
            parts.append(self._sink.stage("members", rows))
        found = MembersMark(changes, tiers, digest.hexdigest())
        if previous is not None and previous.digest == found.digest:
            self._sink.discard(parts)  # the same rows: the sink keeps its own
        else:
            for staged in parts:
                accept(staged)
        return found


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


def _chunks(rows: Iterable[Row], always: bool = False) -> Iterator[list[Row]]:
    """``rows`` in lists of ``PART_ROWS``; ``always``: one empty list if there are none."""
    part: list[Row] = []
    written = False
    for row in rows:
        part.append(row)
        if len(part) >= PART_ROWS:
            yield part
            written = True
            part = []
    if part or (always and not written):
        yield part
