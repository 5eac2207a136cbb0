"""Which basket lines a rule could possibly match, read off its ``lines`` condition.

A condition that requires ``line.sku == "123"``, ``line.category in ["tea",
"coffee"]`` or ``"red" in line.labels`` (alone or as one side of an ``and``)
can only match lines with those values, so the engine indexes the rule under
them and never evaluates it for a basket without such a line. With a thousand
rules this is what keeps a quote under a millisecond. Anything the analysis
does not recognise leaves the rule unindexed, which is always correct.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

INDEXED_FIELDS = ("sku", "category", "label")


@dataclass(frozen=True, slots=True)
class LineKeys:
    """The rule matches only lines having one of these (field, value) pairs."""

    keys: frozenset[tuple[str, str]]


def line_keys(source: str | None) -> LineKeys | None:
    if not source:
        return None
    try:
        tree = ast.parse(source.replace("&&", " and "), mode="eval")
    except SyntaxError:
        return None
    keys = _keys_of(tree.body)
    return LineKeys(frozenset(keys)) if keys else None


def _keys_of(node: ast.expr) -> set[tuple[str, str]] | None:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        for value in node.values:  # any conjunct that narrows the lines is enough
            keys = _keys_of(value)
            if keys:
                return keys
        return None
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        union: set[tuple[str, str]] = set()
        for value in node.values:
            keys = _keys_of(value)
            if not keys:
                return None
            union |= keys
        return union
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return _compare_keys(node.left, node.ops[0], node.comparators[0])
    return None


def _compare_keys(left: ast.expr, op: ast.cmpop, right: ast.expr) -> set[tuple[str, str]] | None:
    if isinstance(op, ast.Eq):
        field = _line_field(left, ("sku", "category")) or _line_field(right, ("sku", "category"))
        value = _string(right) if _line_field(left, ("sku", "category")) else _string(left)
        return {(field, value)} if field and value is not None else None
    if isinstance(op, ast.In):
        if _line_field(right, ("labels",)) and _string(left) is not None:
            return {("label", _string(left) or "")}
        field = _line_field(left, ("sku", "category"))
        values = _strings(right)
        if field and values:
            return {(field, value) for value in values}
    return None


def _line_field(node: ast.expr, fields: tuple[str, ...]) -> str | None:
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "line"
        and node.attr in fields
    ):
        return "label" if node.attr == "labels" else node.attr
    return None


def _string(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _strings(node: ast.expr) -> list[str] | None:
    if not isinstance(node, ast.List | ast.Tuple | ast.Set):
        return None
    values = [_string(element) for element in node.elts]
    if not values or any(value is None for value in values):
        return None
    return [value for value in values if value is not None]
