"""When a table's parts are compacted, and into which runs: exact tables, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.adapters.analytics.compaction import NEVER, CompactionPolicy, Part

POLICY = CompactionPolicy(small_rows=100, max_small_parts=4, rows_per_publish=250)


def _parts(*rows: int) -> list[Part]:
    return [(f"p{number}", count) for number, count in enumerate(rows)]


@pytest.mark.parametrize(
    ("rows", "runs"),
    [
        ((10, 10, 10), []),  # three small parts: not due yet
        ((10, 10, 10, 10), [["p0", "p1", "p2", "p3"]]),  # four: due
        ((500, 10, 10, 10), []),  # a large part does not count
        ((500, 10, 600, 10, 10, 10), [["p1", "p3", "p4", "p5"]]),  # the small ones, in order
        ((60, 50), [["p0", "p1"]]),  # two small parts that fill a large one
        ((99,), []),  # one small part: nothing to merge it with
        ((60, 50, 5, 5), [["p0", "p1"], ["p2", "p3"]]),  # a run closes at 100 rows
        ((60, 50, 5), [["p0", "p1"]]),  # a last run of one part stays as it is
        ((90, 90, 90, 90, 90, 90), [["p0", "p1"]]),  # a second run would pass 250 rows
        ((0, 0, 0, 0), [["p0", "p1", "p2", "p3"]]),  # empty parts are small parts
    ],
)
def test_runs(rows: tuple[int, ...], runs: list[list[str]]) -> None:
    found = POLICY.runs(_parts(*rows))
    assert [[name for name, _ in run] for run in found] == runs


def test_an_operator_merges_any_two_small_parts_without_the_limit_per_publish() -> None:
    assert POLICY.runs(_parts(10, 10), forced=True) == [[("p0", 10), ("p1", 10)]]
    forced = POLICY.runs(_parts(90, 90, 90, 90, 90, 90), forced=True)
    assert [len(run) for run in forced] == [2, 2, 2]
    assert POLICY.runs(_parts(10, 500), forced=True) == []


def test_never_merges_even_when_forced() -> None:
    parts = _parts(*[1] * 40)
    assert (NEVER.runs(parts), NEVER.runs(parts, forced=True)) == ([], [])


@given(st.lists(st.integers(min_value=0, max_value=150), max_size=40))
def test_a_forced_compaction_leaves_at_most_one_small_part_and_loses_no_row(
    rows: list[int],
) -> None:
    parts = _parts(*rows)
    runs = POLICY.runs(parts, forced=True)
    merged = [name for run in runs for name, _ in run]
    assert len(merged) == len(set(merged))  # each part in one run at most
    assert all(rows < POLICY.small_rows for run in runs for _, rows in run)
    after = [count for name, count in parts if name not in merged]
    after += [sum(count for _, count in run) for run in runs]
    assert sum(after) == sum(rows)
    assert len([count for count in after if count < POLICY.small_rows]) <= 1
    assert all(sum(count for _, count in run) < 2 * POLICY.small_rows for run in runs)
