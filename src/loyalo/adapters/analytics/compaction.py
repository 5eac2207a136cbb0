"""When a table's Parquet parts are compacted, and which parts are merged into which.

Every export that finds something new adds a part to each table it touched, often of
a handful of rows; after thousands of exports a table would be thousands of files,
and every query opens them all. A part with fewer than ``small_rows`` rows is
*small*. A table is due for compaction when it holds ``max_small_parts`` small parts,
or when its small parts hold ``small_rows`` rows together.

Its small parts are then merged, in the manifest's order, in runs that close as soon
as they reach ``small_rows`` rows: each closed run becomes a large part that is never
rewritten again, and what is left at the end (fewer rows than that) becomes one small
part that a later compaction takes in. So a table keeps its large parts and fewer
than ``max_small_parts`` small ones, no run rewrites more than twice ``small_rows``
rows, and a row is rewritten only while its part is small (the price of few files:
the part that collects a table's small exports is rewritten by every compaction
until it is large; see docs/BENCHMARKS.md). One publish rewrites at most
``rows_per_publish`` rows of a table (at least one run): a store that piled up
parts before compaction existed catches up over a few exports, or at once with
``loyalo analytics compact``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Part = tuple[str, int]
"""A part file's name and its rows."""


@dataclass(frozen=True, slots=True)
class CompactionPolicy:
    small_rows: int = 100_000
    max_small_parts: int = 16
    rows_per_publish: int = 400_000

    def due(self, parts: Sequence[Part]) -> bool:
        small = [rows for _, rows in parts if rows < self.small_rows]
        return len(small) >= 2 and (
            len(small) >= self.max_small_parts or sum(small) >= self.small_rows
        )

    def runs(self, parts: Sequence[Part], *, forced: bool = False) -> list[list[Part]]:
        """The runs of small parts to merge into one part each, in order; none when the table
        is not due. ``forced`` (an operator's compaction): due whenever two parts are small,
        and without the limit per publish."""
        if not forced and not self.due(parts):
            return []
        runs: list[list[Part]] = [[]]
        for part in parts:
            if part[1] >= self.small_rows:
                continue
            runs[-1].append(part)
            if sum(rows for _, rows in runs[-1]) >= self.small_rows:
                runs.append([])
        merged = [run for run in runs if len(run) >= 2]
        return merged if forced else self._within_budget(merged)

    def _within_budget(self, runs: list[list[Part]]) -> list[list[Part]]:
        kept: list[list[Part]] = []
        budget = self.rows_per_publish
        for run in runs:
            rows = sum(rows for _, rows in run)
            if kept and rows > budget:
                break
            kept.append(run)
            budget -= rows
        return kept


NEVER = CompactionPolicy(small_rows=0)
"""No part is small: nothing is ever merged (a bulk load that publishes exactly what it wrote)."""
