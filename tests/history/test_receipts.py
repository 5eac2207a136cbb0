"""Grouping lines into receipts in bounded memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.history.receipts import LineProblem, group_receipts
from loyalo.domain.history.rows import HistoryLine

START = datetime(2011, 1, 1, tzinfo=UTC)


def _line(line_no: int, receipt: str, member: str | None = "m1") -> HistoryLine:
    return HistoryLine(line_no, receipt, "SKU", 1, 100, START + timedelta(minutes=line_no), member)


def test_contiguous_lines_make_one_receipt_each() -> None:
    lines = [_line(1, "A"), _line(2, "A"), _line(3, "B"), _line(4, "C", None)]
    receipts = list(group_receipts(lines, window=10))
    assert [(r.receipt_id, len(r.lines), r.member) for r in receipts] == [
        ("A", 2, "m1"),
        ("B", 1, "m1"),
        ("C", 1, None),
    ]
    assert receipts[0].occurred_at == START + timedelta(minutes=1)


def test_a_line_out_of_place_joins_its_receipt_within_the_window() -> None:
    lines = [_line(1, "A"), _line(2, "B"), _line(3, "B"), _line(4, "A")]
    receipts = list(group_receipts(lines, window=5))
    assert sorted((r.receipt_id, len(r.lines)) for r in receipts) == [("A", 2), ("B", 2)]


def test_beyond_the_window_the_receipt_comes_out_twice() -> None:
    lines = [_line(1, "A"), *(_line(n, f"X{n}") for n in range(2, 6)), _line(6, "A")]
    ids = [r.receipt_id for r in group_receipts(lines, window=2)]
    assert ids.count("A") == 2


def test_a_problem_line_travels_with_its_receipt() -> None:
    lines = [_line(1, "A"), LineProblem(2, "A", "quantity 'x' is not a number"), _line(3, "B")]
    receipts = {r.receipt_id: r for r in group_receipts(lines, window=10)}
    assert [p.line_no for p in receipts["A"].problems] == [2]
    assert receipts["A"].first_line_no == 1
    assert not receipts["B"].problems


def test_a_line_with_no_receipt_comes_out_alone() -> None:
    receipts = list(group_receipts([LineProblem(5, None, "InvoiceNo is empty")], window=10))
    assert [(r.receipt_id, r.first_line_no, r.occurred_at) for r in receipts] == [("", 5, None)]


@given(
    st.lists(st.sampled_from("ABCDEFG"), min_size=1, max_size=80),
    st.integers(min_value=0, max_value=30),
)
def test_every_line_comes_out_once_and_the_order_depends_only_on_the_file(
    receipts: list[str], window: int
) -> None:
    lines = [_line(n, receipt) for n, receipt in enumerate(receipts, start=1)]
    first = list(group_receipts(lines, window))
    again = list(group_receipts(lines, window))
    assert sorted(line.line_no for r in first for line in r.lines) == list(range(1, len(lines) + 1))
    assert all(line.receipt_id == r.receipt_id for r in first for line in r.lines)
    assert [(r.receipt_id, r.first_line_no) for r in first] == [
        (r.receipt_id, r.first_line_no) for r in again
    ]
    for receipt in first:  # lines of one receipt stay in file order
        numbers = [line.line_no for line in receipt.lines]
        assert numbers == sorted(numbers)
