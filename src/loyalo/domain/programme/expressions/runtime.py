"""What the operators of the language do to values at run time.

Numbers are Decimals computed in one fixed context, so a result never depends
on the decimal context of the thread that evaluates it. Missing data is
``None``; ordering comparisons with ``None`` are false instead of an error.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

Scope = Mapping[str, object]
Evaluator = Callable[[Scope], Any]

CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
"""Python's default decimal context, fixed: the same result in every thread."""

FAILURES: tuple[type[Exception], ...] = (
    TypeError,
    ValueError,
    ArithmeticError,
    LookupError,
    AttributeError,
)
"""What an operation on unexpected data raises; it becomes an :class:`EvaluationError`."""


class EvaluationError(Exception):
    """An expression met data it cannot work on (a type mismatch, a division by zero)."""

    def __init__(self, detail: str, position: int) -> None:
        super().__init__(f"{detail} (at position {position})")
        self.detail = detail
        self.position = position


def explain(error: Exception) -> str:
    """A failure in words; decimal signals carry no message of their own."""
    if isinstance(error, decimal.DivisionByZero):
        return "division by zero"
    if isinstance(error, decimal.Overflow):
        return "the number is too large"
    if isinstance(error, decimal.InvalidOperation):
        return "not a valid operation on these numbers"
    return str(error)


def describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


def plain(value: Any) -> Any:
    """A value read from the scope, with floats made exact Decimals."""
    return Decimal(str(value)) if type(value) is float else value


def number(value: object) -> Decimal:
    if type(value) is Decimal:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if type(value) is float:
        return Decimal(str(value))
    raise TypeError(f"expected a number, got {describe(value)}")


_IS_MAPPING: dict[type, bool] = {dict: True, type(None): False}
"""Whether a type is a Mapping, remembered: ``isinstance`` against an ABC is slow."""


def read_attribute(value: object, name: str) -> Any:
    """``value.name``: a key of a mapping, else a public, non-callable attribute; else null."""
    kind = type(value)
    mapping = _IS_MAPPING.get(kind)
    if mapping is None:
        mapping = _IS_MAPPING[kind] = isinstance(value, Mapping)
    if mapping:
        found = value.get(name)  # type: ignore[attr-defined]
    else:
        found = getattr(value, name, None)
        if callable(found):
            return None
    return Decimal(str(found)) if type(found) is float else found


def name_field_reader(name: str, attribute: str) -> Evaluator:
    """``name.attribute`` in one closure: the commonest read of a condition, kept to one call."""

    def read(scope: Scope) -> Any:
        value = scope.get(name)
        kind = type(value)
        mapping = _IS_MAPPING.get(kind)
        if mapping is None:
            mapping = _IS_MAPPING[kind] = isinstance(value, Mapping)
        if mapping:
            found = value.get(attribute)  # type: ignore[attr-defined]
        else:
            found = getattr(value, attribute, None)
            if callable(found):
                return None
        return Decimal(str(found)) if type(found) is float else found

    return read


def read_item(value: object, key: object) -> Any:
    """``value[key]``: a key of a mapping, an index of a sequence (out of range is null)."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return plain(value.get(key))
    if isinstance(value, str | Sequence):
        index = _index(key)
        return plain(value[index]) if -len(value) <= index < len(value) else None
    if isinstance(key, str):
        if key.startswith("_"):
            raise LookupError(f"'{key}' is private")
        return read_attribute(value, key)
    raise TypeError(f"{describe(value)} cannot be indexed")


def read_slice(value: object, lower: object, upper: object) -> Any:
    if value is None:
        return None
    if not isinstance(value, str | Sequence):
        raise TypeError(f"{describe(value)} cannot be sliced")
    start = None if lower is None else _index(lower)
    stop = None if upper is None else _index(upper)
    return value[start:stop]


def _index(key: object) -> int:
    index = number(key)
    if index != index.to_integral_value():
        raise TypeError(f"an index must be a whole number, got {index}")
    return int(index)


def add(left: object, right: object) -> object:
    if type(left) is str and type(right) is str:
        return left + right
    return CONTEXT.add(number(left), number(right))


def subtract(left: object, right: object) -> Decimal:
    return CONTEXT.subtract(number(left), number(right))


def multiply(left: object, right: object) -> Decimal:
    return CONTEXT.multiply(number(left), number(right))


def divide(left: object, right: object) -> Decimal:
    return CONTEXT.divide(number(left), number(right))


def remainder(left: object, right: object) -> Decimal:
    return CONTEXT.remainder(number(left), number(right))


def negate(value: object) -> Decimal:
    return CONTEXT.minus(number(value))


def positive(value: object) -> Decimal:
    return CONTEXT.plus(number(value))


def _ordering(symbol: str, compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    def ordered(left: Any, right: Any) -> bool:
        if left is None or right is None:
            return False
        try:
            return bool(compare(left, right))
        except TypeError:
            raise TypeError(f"cannot compare {describe(left)} with {describe(right)}") from None

    ordered.__name__ = f"ordered_{symbol}"
    return ordered


less = _ordering("<", operator.lt)
less_or_equal = _ordering("<=", operator.le)
greater = _ordering(">", operator.gt)
greater_or_equal = _ordering(">=", operator.ge)


def equal(left: object, right: object) -> bool:
    return bool(left == right)


def not_equal(left: object, right: object) -> bool:
    return bool(left != right)


def contains(container: Any, item: object) -> bool:
    """``item in container``; a missing (null) container contains nothing."""
    if container is None:
        return False
    if isinstance(container, str) and not isinstance(item, str):
        raise TypeError(f"cannot look for {describe(item)} in a string")
    return bool(item in container)


def not_contains(container: Any, item: object) -> bool:
    return not contains(container, item)


def contains_constant(
    values: frozenset[object], fallback: tuple[object, ...]
) -> Callable[[object], bool]:
    """``item in [constants]`` by hash, falling back to a scan for an unhashable item."""

    def test(item: object) -> bool:
        try:
            return item in values
        except TypeError:
            return item in fallback

    return test
