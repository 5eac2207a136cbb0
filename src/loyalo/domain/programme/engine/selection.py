"""Which rules are candidates for a basket, and which of its lines each one matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from loyalo.domain.programme.engine.compiled import CompiledProgramme, CompiledRule
from loyalo.domain.programme.engine.views import LineView


def candidates(
    programme: CompiledProgramme, lines: Sequence[LineView], local: datetime, tier: str | None
) -> list[CompiledRule]:
    """Unindexed rules plus those indexed under a value present in the basket,
    that run at this time and for this tier, highest priority first."""
    found: dict[int, CompiledRule] = {id(rule): rule for rule in programme.purchase_unindexed}
    index = programme.purchase_index
    if index:
        for key in _basket_keys(lines):
            for rule in index.get(key, ()):
                found[id(rule)] = rule
    chosen = [rule for rule in found.values() if _runs(rule, local, tier)]
    chosen.sort(key=lambda rule: (-rule.rule.priority, rule.order))
    return chosen


def _basket_keys(lines: Sequence[LineView]) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for line in lines:
        keys.add(("sku", line.sku))
        if line.category is not None:
            keys.add(("category", line.category))
        keys.update(("label", label) for label in line.labels)
    return keys


def _runs(rule: CompiledRule, local: datetime, tier: str | None) -> bool:
    if rule.rule.tiers and tier not in rule.rule.tiers:
        return False
    return rule.scheduled_at(local)


def matching_lines(
    rule: CompiledRule,
    lines: Sequence[LineView],
    line_scopes: Sequence[Mapping[str, object]],
    *,
    goods_only: bool = False,
) -> list[int]:
    """Indices of the lines the rule applies to, after its exclusions."""
    spec = rule.rule
    keys = rule.keys.keys if rule.keys else None
    matched = []
    for line, scope in zip(lines, line_scopes, strict=True):
        if line.delivery and (goods_only or not spec.include_delivery):
            continue
        if line.sku in spec.exclude_skus or any(lb in spec.exclude_labels for lb in line.labels):
            continue
        if keys is not None and not _has_key(line, keys):
            continue
        if rule.lines is not None and not rule.lines(scope):
            continue
        matched.append(line.index)
    return matched


def _has_key(line: LineView, keys: frozenset[tuple[str, str]]) -> bool:
    if ("sku", line.sku) in keys:
        return True
    if line.category is not None and ("category", line.category) in keys:
        return True
    return any(("label", label) in keys for label in line.labels)
