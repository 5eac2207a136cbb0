"""Which rules are candidates for a basket, and which of its lines each one matches.

The basket is read once per purchase into :class:`BasketLines` (each line's
value, which lines are delivery and which are goods). Looking the lines' SKUs,
categories and labels up in the rule index gives the indexed candidates and,
for each, the lines that carry one of its keys: its ``lines`` condition is
only ever tried on those, since no other line can match it. A rule without a
``lines`` condition or exclusions takes a prepared list of lines, with no loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from loyalo.domain.programme.engine.compiled import CompiledProgramme, CompiledRule
from loyalo.domain.purchases.basket import Line

LineKey = tuple[str, str]  # ("sku" | "category" | "label", value)
LineScope = Callable[[int], Mapping[str, object]]  # a line's index -> the scope of its conditions

_RANK = attrgetter("rank")


@dataclass(slots=True)
class BasketLines:
    """The lines of one basket, as rule selection reads them (indices in basket order).

    Built once per purchase and only read after that; the sequences are shared
    with the rules that match them.
    """

    lines: Sequence[Line]
    totals: list[int]  # each line's value in minor units, after the till's own discount
    delivery: list[bool]  # marked by the till, or a delivery SKU of the programme
    every: range
    goods: list[int]
    delivery_lines: list[int]


def basket_lines(lines: Sequence[Line], delivery_skus: frozenset[str]) -> BasketLines:
    totals: list[int] = []
    delivery: list[bool] = []
    goods: list[int] = []
    delivery_lines: list[int] = []
    for position, line in enumerate(lines):
        totals.append(line.total_minor)
        is_delivery = line.delivery or line.sku in delivery_skus
        delivery.append(is_delivery)
        (delivery_lines if is_delivery else goods).append(position)
    return BasketLines(lines, totals, delivery, range(len(lines)), goods, delivery_lines)


@dataclass(slots=True)
class Candidates:
    """The rules that may apply, highest priority first, and where the index found them."""

    rules: list[CompiledRule]
    reached: dict[int, list[int]]  # an indexed rule's rank -> the lines with one of its keys

    def lines_of(self, rule: CompiledRule) -> Sequence[int] | None:
        """The lines carrying one of the rule's index keys; None for an unindexed rule."""
        return self.reached.get(rule.rank)


def candidates(
    programme: CompiledProgramme, basket: BasketLines, local: datetime, tier: str | None
) -> Candidates:
    """Unindexed rules plus those indexed under a value present in the basket,
    that run at this time and for this tier, highest priority first."""
    found, reached = _indexed(programme, basket.lines)
    running = _running(programme.purchase_unindexed, local, tier)
    if found:
        running += _running(found.values(), local, tier)
        running.sort(key=_RANK)  # two sorted runs: a merge
    return Candidates(running, reached)


def _indexed(
    programme: CompiledProgramme, lines: Sequence[Line]
) -> tuple[dict[int, CompiledRule], dict[int, list[int]]]:
    """The rules indexed under the lines' keys, and for each the lines that carry one."""
    found: dict[int, CompiledRule] = {}
    reached: dict[int, list[int]] = {}
    index, fields = programme.purchase_index, programme.indexed_fields
    if not index:
        return found, reached
    for position, line in enumerate(lines):
        for key in _keys_of(line, fields):
            for rule in index.get(key, ()):
                carriers = reached.get(rule.rank)
                if carriers is None:
                    found[rule.rank] = rule
                    reached[rule.rank] = [position]
                elif carriers[-1] != position:  # a line under two of its keys counts once
                    carriers.append(position)
    return found, reached


def _keys_of(line: Line, fields: frozenset[str]) -> list[LineKey]:
    """The line's (field, value) pairs, on the fields some rule is indexed on."""
    keys = []
    if "sku" in fields:
        keys.append(("sku", line.sku))
    if "category" in fields and line.category is not None:
        keys.append(("category", line.category))
    if "label" in fields:
        for label in line.labels:
            keys.append(("label", label))
    return keys


def _running(
    rules: Iterable[CompiledRule], local: datetime, tier: str | None
) -> list[CompiledRule]:
    """The rules for this tier that run now: ``CompiledRule.runs``, inlined, since a call
    per rule costs as much as the test, and every unindexed rule is tested on every purchase."""
    return [
        rule
        for rule in rules
        if (not rule.tiers or tier in rule.tiers)
        and (rule.window is None or rule.window.contains(local))
    ]


def matching_lines(
    rule: CompiledRule,
    basket: BasketLines,
    reached: Sequence[int] | None,
    line_scope: LineScope,
) -> Sequence[int]:
    """Indices of the lines the rule applies to, after its exclusions.

    ``reached`` are the lines the index found the rule under (None: every line).
    The result may be one of ``basket``'s own sequences: read it, never change it.
    """
    condition = rule.lines
    excludes = bool(rule.exclude_skus or rule.exclude_labels)
    if reached is None and condition is None and not excludes:
        return basket.goods if rule.skip_delivery else basket.every
    skip_delivery = rule.skip_delivery and bool(basket.delivery_lines)
    delivery, lines = basket.delivery, basket.lines
    matched = []
    for index in basket.every if reached is None else reached:
        if skip_delivery and delivery[index]:
            continue
        if excludes and _excluded(rule, lines[index]):
            continue
        if condition is not None and not condition(line_scope(index)):
            continue
        matched.append(index)
    return matched


def _excluded(rule: CompiledRule, line: Line) -> bool:
    return line.sku in rule.exclude_skus or not rule.exclude_labels.isdisjoint(line.labels)
