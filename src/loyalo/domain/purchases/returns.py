"""What a return takes back, computed cumulatively so rounding never drifts.

Taking ``floor(earned * returned_so_far / total)`` minus what earlier returns
took means that a purchase returned in any number of parts gives back exactly
what it earned, never a point more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from loyalo.domain.errors import InvalidInput, ReturnExceedsPurchase
from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class ReturnedLine:
    line_index: int
    quantity: int
    value_minor: int


def share_floor(whole: int, part: int, of: int) -> int:
    """``floor(whole * part / of)`` in integers."""
    if of == 0:
        return 0
    return (whole * part) // of


def returned_lines(
    lines: Sequence[Line],
    already_returned: Mapping[int, int],
    requested: Mapping[int, int] | None,
) -> list[ReturnedLine]:
    """Value of each returned line; ``requested`` None means everything still kept."""
    wanted = (
        {i: line.quantity - already_returned.get(i, 0) for i, line in enumerate(lines)}
        if requested is None
        else dict(requested)
    )
    result: list[ReturnedLine] = []
    for index, quantity in sorted(wanted.items()):
        if not 0 <= index < len(lines):
            raise InvalidInput(f"the purchase has no line {index}", field="lines")
        if quantity <= 0:
            if requested is None:
                continue
            raise InvalidInput("a returned quantity must be positive", field="lines")
        line = lines[index]
        before = already_returned.get(index, 0)
        if before + quantity > line.quantity:
            raise ReturnExceedsPurchase(
                f"line {index} ({line.sku}): {quantity} returned, {line.quantity - before} left",
                line=index,
                returnable=line.quantity - before,
            )
        value = share_floor(line.total_minor, before + quantity, line.quantity) - share_floor(
            line.total_minor, before, line.quantity
        )
        result.append(ReturnedLine(index, quantity, value))
    if not result:
        raise ReturnExceedsPurchase("everything on this receipt was already returned")
    return result


def points_to_take_back(
    earned: int, total_minor: int, returned_before_minor: int, returning_minor: int
) -> int:
    return share_floor(earned, returned_before_minor + returning_minor, total_minor) - share_floor(
        earned, returned_before_minor, total_minor
    )


def line_points_to_take_back(
    line_points: Sequence[tuple[int, str, int]],
    quantities: Sequence[int],
    already_returned: Mapping[int, int],
    returning: Mapping[int, int],
) -> dict[str, int]:
    """Points per rule a return takes back, from what each rule gave each line.

    ``line_points`` holds (line index, rule id, points). Each line gives back its
    points in proportion to the units returned, cumulatively, so returning a line
    in parts gives back exactly what it earned.
    """
    taken: dict[str, int] = {}
    for index, rule_id, points in line_points:
        quantity = returning.get(index, 0)
        if not quantity:
            continue
        before = already_returned.get(index, 0)
        back = share_floor(points, before + quantity, quantities[index]) - share_floor(
            points, before, quantities[index]
        )
        if back:
            taken[rule_id] = taken.get(rule_id, 0) + back
    return taken
