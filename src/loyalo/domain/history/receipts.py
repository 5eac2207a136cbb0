"""Lines grouped into receipts, streaming, in bounded memory.

A file lists a receipt's lines together, nearly always. A receipt stays open
until ``window`` further lines have passed without one of its own, so a line a
few rows out of place still joins its receipt; a receipt met again after it was
closed comes out a second time and the import refuses it as a resend with other
content. Receipts come out in the order they were closed, which depends only on
the file: a resumed import skips exactly the receipts it finished before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from loyalo.domain.history.rows import HistoryLine


@dataclass(slots=True)
class Receipt:
    receipt_id: str
    member: str | None  # the first line's member
    occurred_at: datetime | None  # the first line's time; None when no line could be read
    lines: list[HistoryLine] = field(default_factory=list)
    last_line_no: int = 0
    problems: list[LineProblem] = field(default_factory=list)  # the receipt is refused whole

    @property
    def is_return(self) -> bool:
        return any(line.is_return for line in self.lines)

    @property
    def first_line_no(self) -> int:
        numbers = [line.line_no for line in self.lines] + [p.line_no for p in self.problems]
        return min(numbers)


@dataclass(frozen=True, slots=True)
class LineProblem:
    line_no: int
    receipt_id: str | None  # None: not even the receipt could be read
    reason: str


def group_receipts(
    lines: Iterable[HistoryLine | LineProblem], window: int = 1000
) -> Iterator[Receipt]:
    open_: OrderedDict[str, Receipt] = OrderedDict()  # the least recently touched first
    for line in lines:
        if line.receipt_id is None:
            yield Receipt("", None, None, last_line_no=line.line_no, problems=[line])
            continue
        receipt = open_.get(line.receipt_id)
        if receipt is None:
            receipt = Receipt(line.receipt_id, None, None)
            open_[line.receipt_id] = receipt
        else:
            open_.move_to_end(line.receipt_id)
        if isinstance(line, LineProblem):
            receipt.problems.append(line)
        else:
            if not receipt.lines:
                receipt.member, receipt.occurred_at = line.member, line.occurred_at
            receipt.lines.append(line)
        receipt.last_line_no = line.line_no
        while open_:
            oldest = next(iter(open_.values()))
            if oldest.last_line_no >= line.line_no - window:
                break
            yield open_.popitem(last=False)[1]
    yield from open_.values()
