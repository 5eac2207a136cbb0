"""A receipt's lines and the checks that keep its totals honest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loyalo.domain.errors import InvalidInput, TotalMismatch


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    quantity: int
    unit_price_minor: int
    discount_minor: int = 0
    name: str | None = None
    category: str | None = None
    labels: tuple[str, ...] = ()
    delivery: bool = False  # a delivery charge, not goods

    @property
    def total_minor(self) -> int:
        return self.quantity * self.unit_price_minor - self.discount_minor

    def check(self, index: int) -> None:
        if self.quantity <= 0:
            raise InvalidInput(f"line {index}: quantity must be positive", field=f"lines[{index}]")
        if self.unit_price_minor < 0 or self.discount_minor < 0:
            raise InvalidInput(f"line {index}: negative amounts", field=f"lines[{index}]")
        if self.discount_minor > self.quantity * self.unit_price_minor:
            raise InvalidInput(
                f"line {index}: the discount exceeds the line value", field=f"lines[{index}]"
            )


def check_basket(lines: Sequence[Line], total_minor: int) -> None:
    if not lines:
        raise InvalidInput("a purchase needs at least one line", field="lines")
    for index, line in enumerate(lines):
        line.check(index)
    lines_total = sum(line.total_minor for line in lines)
    if lines_total != total_minor:
        raise TotalMismatch(
            f"the lines add up to {lines_total} minor units, the total says {total_minor}",
            lines_total_minor=lines_total,
            total_minor=total_minor,
        )
