"""The functions an expression may call: a fixed table, nothing else is callable."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from loyalo.domain.programme.expressions.runtime import (
    CONTEXT,
    contains,
    describe,
    number,
    plain,
)


@dataclass(frozen=True, slots=True)
class Function:
    call: Callable[..., Any]
    least: int  # arguments
    most: int | None  # None: any number
    usage: str

    def accepts(self, count: int) -> bool:
        return count >= self.least and (self.most is None or count <= self.most)


def _length(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, str | Collection):
        return len(value)
    raise TypeError(f"{describe(value)} has no length")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {describe(value)}")
    return value


def _lower(value: object) -> str | None:
    return None if value is None else _text(value).lower()


def _upper(value: object) -> str | None:
    return None if value is None else _text(value).upper()


def _absolute(value: object) -> Decimal:
    return CONTEXT.abs(number(value))


def _round(value: object, places: object = 0) -> Decimal:
    digits = number(places)
    if digits != digits.to_integral_value() or not 0 <= digits <= 28:
        raise ValueError(f"places must be a whole number from 0 to 28, got {digits}")
    return number(value).quantize(Decimal(1).scaleb(-int(digits)), ROUND_HALF_UP, CONTEXT)


def _values(arguments: tuple[object, ...]) -> list[Any]:
    if len(arguments) == 1 and isinstance(arguments[0], Collection | type(None)):
        only = arguments[0]
        if isinstance(only, str):
            return [only]
        if isinstance(only, Mapping):
            raise TypeError("min() and max() take numbers or a list, not a map")
        return [plain(value) for value in only or ()]
    return [plain(value) for value in arguments]


def _smallest(*arguments: object) -> Any:
    return min(_values(arguments))


def _largest(*arguments: object) -> Any:
    return max(_values(arguments))


def _starts_with(value: object, prefix: object) -> bool:
    return value is not None and _text(value).startswith(_text(prefix))


def _ends_with(value: object, suffix: object) -> bool:
    return value is not None and _text(value).endswith(_text(suffix))


def _members(value: object) -> Any:
    if isinstance(value, Collection) and not isinstance(value, str):
        return value
    return () if value is None else (value,)


def _any_of(value: object, *candidates: object) -> bool:
    members = _members(value)
    return any(candidate in members for candidate in candidates)


def _all_of(value: object, *candidates: object) -> bool:
    members = _members(value)
    return all(candidate in members for candidate in candidates)


def _has(value: object) -> bool:
    return value is not None


def _number(value: object) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, str):
        parsed = Decimal(value.strip())
        if not parsed.is_finite():
            raise ValueError(f"not a number: {value!r}")
        return parsed
    return number(value)


def _string(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(number(value)) if isinstance(value, int | Decimal | float) else str(value)


FUNCTIONS: Mapping[str, Function] = {
    "len": Function(_length, 1, 1, "len(x): the number of characters or items; 0 for null"),
    "lower": Function(_lower, 1, 1, "lower(s): the string in lower case"),
    "upper": Function(_upper, 1, 1, "upper(s): the string in upper case"),
    "abs": Function(_absolute, 1, 1, "abs(n): the absolute value"),
    "round": Function(_round, 1, 2, "round(n, places=0): rounded half up"),
    "min": Function(_smallest, 1, None, "min(a, b, ...) or min(list): the smallest"),
    "max": Function(_largest, 1, None, "max(a, b, ...) or max(list): the largest"),
    "startswith": Function(_starts_with, 2, 2, "startswith(s, prefix)"),
    "endswith": Function(_ends_with, 2, 2, "endswith(s, suffix)"),
    "contains": Function(contains, 2, 2, "contains(s_or_list, part): the same as part in s"),
    "any_of": Function(_any_of, 2, None, "any_of(x, v1, v2, ...): x (or a list x) has one"),
    "all_of": Function(_all_of, 2, None, "all_of(x, v1, v2, ...): the list x has them all"),
    "has": Function(_has, 1, 1, "has(x.y): true when x.y is not null"),
    "number": Function(_number, 1, 1, 'number("12.50"): a string as a number'),
    "string": Function(_string, 1, 1, "string(x): a number or boolean as a string"),
}
