"""The expression language of rule conditions: values, operators, refusals, limits."""

from __future__ import annotations

import contextlib
import decimal
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalo.domain.errors import ErrorKind, ExpressionError
from loyalo.domain.programme.expressions import (
    MAX_LENGTH,
    CompiledExpression,
    EvaluationError,
    compile_condition,
    compile_expression,
)

NAMES = frozenset(
    {"basket", "line", "lines", "member", "tier", "channel", "store", "time", "event", "x", "y"}
)


@dataclass(frozen=True)
class Line:
    sku: str
    category: str | None
    price: Decimal
    quantity: int
    labels: tuple[str, ...] = ()
    weight: float = 0.1
    _secret: str = "hidden"

    def describe(self) -> str:
        return "a method"


@dataclass(frozen=True)
class Time:
    weekday: int
    hour: int


@dataclass(frozen=True)
class Member:
    id: str
    attributes: dict[str, Any] = field(default_factory=dict)


COFFEE = Line("123", "coffee", Decimal("12.00"), 2, ("red", "hot"))
SCOPE: dict[str, object] = {
    "basket": {"total": Decimal("152.00"), "skus": frozenset({"123", "000"}), "count": 3},
    "line": COFFEE,
    "lines": [COFFEE, Line("000", None, Decimal("100.00"), 1, ("blue",))],
    "member": Member("m-1", {"city": "Warsaw", "visits": 4, "tags": ["vip"], "score": "12.50"}),
    "tier": "gold",
    "channel": "app",
    "store": None,
    "time": Time(weekday=5, hour=10),
    "event": {"role": "advocate", "product_id": "p-9"},
    "x": Decimal("7"),
    "y": 2,
}


def evaluate(source: str, scope: Mapping[str, object] | None = None) -> object:
    return compile_expression(source, names=NAMES)(SCOPE if scope is None else scope)


VALUES = [
    # literals
    ("5", Decimal(5)),
    ("100.50", Decimal("100.50")),
    ("1_000", Decimal(1000)),
    ("1e3", Decimal("1E+3")),
    ("-3", Decimal(-3)),
    ("0.1 + 0.2", Decimal("0.3")),
    ('"a" + "b"', "ab"),
    ("true", True),
    ("False", False),
    ("null", None),
    ("None", None),
    ("[5, 6]", [Decimal(5), Decimal(6)]),
    ("(5, 'a')", (Decimal(5), "a")),
    ("[]", []),
    ("y, 'a'", (2, "a")),
    # arithmetic is decimal
    ("7 / 2", Decimal("3.5")),
    ("x / 3", Decimal("2.333333333333333333333333333")),
    ("-7 % 3", Decimal(-1)),
    ("y * 2.5", Decimal("5.0")),
    ("x - y * 2", Decimal(3)),
    ("(x - y) * 2", Decimal(10)),
    ("-x", Decimal(-7)),
    ("+y", Decimal(2)),
    ("basket.total * 4", Decimal("608.00")),
    ("line.weight * 3", Decimal("0.3")),  # a float reads as its shortest decimal
    # fields, keys and indexes
    ("basket.total", Decimal("152.00")),
    ("basket.missing", None),
    ("basket.missing.deeper", None),
    ("line.sku", "123"),
    ("line.nothing", None),
    ("line.describe", None),  # methods are not values
    ("member.attributes.city", "Warsaw"),
    ('member.attributes["city"]', "Warsaw"),
    ("member.attributes.tags[0]", "vip"),
    ("member.attributes.tags[-1]", "vip"),
    ("member.attributes.tags[5]", None),
    ("lines[1].sku", "000"),
    ('lines[0]["price"]', Decimal("12.00")),
    ("line.sku[0:2]", "12"),
    ("line.labels[1:]", ("hot",)),
    ("store", None),
    ("store.city", None),
    ("event.role", "advocate"),
    # booleans give the deciding operand
    ("member.attributes.nothing or 'none'", "none"),
    ("channel and tier", "gold"),
    ("channel && store", None),
    ("store || 'web'", "web"),
    ("not store", True),
    ("!channel", False),
    # functions
    ("len(line.labels)", 2),
    ("len(tier)", 4),
    ("len(store)", 0),
    ("lower('ABC')", "abc"),
    ("upper(tier)", "GOLD"),
    ("lower(store)", None),
    ("abs(-2.5)", Decimal("2.5")),
    ("round(2.5)", Decimal(3)),
    ("round(2.45, 1)", Decimal("2.5")),
    ("round(-2.5)", Decimal(-3)),
    ("min(3, x, y)", 2),
    ("max([1, 9, 4])", Decimal(9)),
    ("max(line.price, 20)", Decimal(20)),
    ("startswith(line.sku, '12')", True),
    ("endswith(line.sku, '4')", False),
    ("startswith(store, 'w')", False),
    ("contains(line.labels, 'red')", True),
    ("contains(tier, 'ol')", True),
    ("any_of(line.labels, 'blue', 'red')", True),
    ("any_of(line.labels, 'blue', 'green')", False),
    ("any_of(channel, 'app', 'web')", True),
    ("all_of(line.labels, 'red', 'hot')", True),
    ("all_of(line.labels, 'red', 'blue')", False),
    ("has(member.attributes.city)", True),
    ("has(member.attributes.email)", False),
    ("number(member.attributes.score) * 2", Decimal("25.00")),
    ("string(x) + '!'", "7!"),
    ("string(true)", "true"),
]


@pytest.mark.parametrize(("source", "expected"), VALUES)
def test_value(source: str, expected: object) -> None:
    value = evaluate(source)

    assert value == expected
    assert type(value) is type(expected)


CONDITIONS = [
    # the typical conditions of a programme
    ('line.category == "coffee" and line.price >= 5', True),
    ('line.category == "coffee" && line.price >= 12.01', False),
    ('"red" in line.labels', True),
    ('"blue" in line.labels', False),
    ('"blue" not in line.labels', True),
    ("time.weekday in [5, 6] and basket.total > 100", True),
    ("time.weekday in [0, 1, 2, 3, 4]", False),
    ("basket.total >= 152.00", True),
    ("basket.total >= 152.01", False),
    ("basket.total == 152", True),
    ("line.sku in ['123', '456']", True),
    ("line.sku in basket.skus", True),
    ('event.role == "advocate"', True),
    ("tier in ['silver', 'gold'] && channel != 'pos'", True),
    ("!(channel == 'app') || tier == 'gold'", True),
    ("!has(member.attributes.email) && has(member.attributes.city)", True),
    ("'city' in member.attributes", True),
    ("'ar' in member.attributes.city", True),
    ("member.attributes.visits >= 3", True),
    # chained comparisons
    ("1 < y < 3", True),
    ("1 < y < 2", False),
    ("0 <= time.hour < 12", True),
    # null: ordering is false, equality works, a missing container holds nothing
    ("store == null", True),
    ("store != null", False),
    ("store == None", True),
    ("line.category != null", True),
    ("lines[1].category == null", True),
    ("store > 5", False),
    ("store <= 5", False),
    ("5 < store", False),
    ("basket.missing >= 0", False),
    ("'a' in store", False),
    ("'a' not in store", True),
    # CEL's ! binds tighter than comparisons, as in CEL
    ("!store == true", True),
    ("not store == true", True),
    ("!!channel", True),
    # `!=` and the spellings inside strings are left alone
    ("channel != 'a && b || !c'", True),
    ("'a && b' == 'a && b'", True),
    ("'!' + '=' == '!='", True),
    # errors make a condition false instead of raising
    ("tier > 5", False),
    ("x / 0 > 1", False),
    ("line.sku + 1 == 124", False),
    ("len(x) == 1", False),
    ("number('abc') == 1", False),
    ("min([]) == 1", False),
    # line breaks are white space
    ("channel == 'app'\n  and tier == 'gold'", True),
    ("channel == 'app'\r\n  && tier == 'gold'", True),
]


@pytest.mark.parametrize(("source", "expected"), CONDITIONS)
def test_condition(source: str, expected: bool) -> None:
    assert compile_condition(source, names=NAMES)(SCOPE) is expected


def test_a_condition_on_a_scope_without_its_names_is_false() -> None:
    assert compile_condition("event.role == 'friend'", names=NAMES)({}) is False
    assert compile_condition("event.role != 'friend'", names=NAMES)({}) is True


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("tier > 5", "'>': cannot compare a string with a number (at position 0)"),
        ("x / 0", "'/': division by zero (at position 0)"),
        ("channel + 1", "'+': expected a number, got a string (at position 0)"),
        ("y == 2 and abs(tier)", "abs(): expected a number, got a string (at position 11)"),
        ("lines[0.5]", "'[]': an index must be a whole number, got 0.5 (at position 0)"),
        (
            "round(x, 40)",
            "round(): places must be a whole number from 0 to 28, got 40 (at position 0)",
        ),
        ("1 < tier < 3", "'<': cannot compare a number with a string (at position 0)"),
    ],
)
def test_an_expression_on_unfit_data_raises_an_evaluation_error(source: str, detail: str) -> None:
    with pytest.raises(EvaluationError) as caught:
        evaluate(source)

    assert str(caught.value) == detail


def test_any_mapping_reads_by_key() -> None:
    scope = {"event": MappingProxyType({"role": "friend", "n": 1.5})}

    assert evaluate("event.role", scope) == "friend"
    assert evaluate("event['n'] * 2", scope) == Decimal("3.0")


def test_names_used_are_the_top_level_names_read() -> None:
    compiled = compile_expression(
        "line.price * y > basket.total and has(event.role) && null == store", names=NAMES
    )

    assert compiled.names_used == {"line", "y", "basket", "event", "store"}
    assert compiled.source == "line.price * y > basket.total and has(event.role) && null == store"
    assert compile_expression("true", names=NAMES).names_used == frozenset()


def test_a_compiled_expression_is_frozen() -> None:
    compiled = compile_expression("x", names=NAMES)

    with pytest.raises(AttributeError):
        compiled.source = "y"  # type: ignore[misc]


def test_the_result_does_not_depend_on_the_thread_decimal_context() -> None:
    compiled = compile_expression("x / 3", names=NAMES)

    with decimal.localcontext(decimal.Context(prec=3, traps=[])):
        value = compiled(SCOPE)

    assert value == Decimal("2.333333333333333333333333333")


REFUSALS = [
    # (source, detail, position) — the position is a 0-based offset into the source
    ("basket.totl >= 5 and nobody", "unknown name 'nobody'; the names are: ", 21),
    ("len", "unknown name 'len' (a function must be called)", 0),
    ("x && zz", "unknown name 'zz'", 5),
    ("!x || zz", "unknown name 'zz'", 6),
    (
        "line._secret",
        "the attribute '_secret' is not allowed: names starting with '_' are private",
        0,
    ),
    ("line['_secret']", "the key '_secret' is not allowed: it is private", 5),
    ("basket.__dict__", "the attribute '__dict__' is not allowed", 0),
    ("().__class__", "the attribute '__class__' is not allowed", 0),
    ("''.__class__.__mro__", "the attribute '__mro__' is not allowed", 0),
    ("__import__('os')", "there is no function '__import__'; the functions are: len, lower", 0),
    ('open("f")', "there is no function 'open'", 0),
    ("x == eval('1')", "there is no function 'eval'", 5),
    ("tier.upper()", "method calls are not allowed: write upper(x), not x.upper()", 0),
    ("(lambda: 1)()", "only the named functions can be called", 0),
    ("lambda: 1", "a lambda is not allowed", 0),
    ("[x for x in y]", "a list comprehension is not allowed", 0),
    ("{x for x in y}", "a set comprehension is not allowed", 0),
    ("{x: 1 for x in y}", "a dict comprehension is not allowed", 0),
    ("any_of(x for x in y)", "a generator expression is not allowed", 6),
    ("f'{x}'", "an f-string is not allowed", 0),
    ("(y := 1)", "an assignment (:=) is not allowed", 1),
    ("[*lines]", "unpacking with '*' is not allowed", 1),
    ("len(*lines)", "unpacking with '*' is not allowed", 4),
    ("x if y else 1", "a conditional expression (x if c else y) is not allowed", 0),
    ("{'a': 1}", "a dict literal is not allowed", 0),
    ("{1}", "a set literal is not allowed", 0),
    ("x ** 2", "the operator '**' is not allowed", 0),
    ("x // 2", "the operator '//' is not allowed", 0),
    ("x & y", "the operator '&' (write 'and' or '&&') is not allowed", 0),
    ("x | y", "the operator '|' (write 'or' or '||') is not allowed", 0),
    ("x ^ y", "the operator '^' is not allowed", 0),
    ("x << 2", "the operator '<<' is not allowed", 0),
    ("~x", "the operator '~' (write 'not' or '!') is not allowed", 0),
    ("store is None", "the operator 'is' (write == null) is not allowed", 0),
    ("store is not None", "the operator 'is not' (write != null) is not allowed", 0),
    ("line.sku[::2]", "a slice with a step is not allowed", 11),
    ("len(tier).real", "reading an attribute of a function's result is not allowed", 0),
    ("round(x, places=2)", "keyword arguments are not allowed", 9),
    ("len(x, y)", "wrong number of arguments: len(x): the number of characters", 0),
    ("has()", "wrong number of arguments: has(x.y)", 0),
    ("any_of(x)", "wrong number of arguments: any_of(x, v1, v2, ...)", 0),
    ("5j", "a complex number is not allowed", 0),
    ("b'x'", "a bytes literal is not allowed", 0),
    ("...", "'...' is not allowed", 0),
    ("await x", "await is not allowed", 0),
    # syntax and brackets
    ("", "the expression is empty", 0),
    ("  \n ", "the expression is empty", 0),
    ("x ==", "syntax error: invalid syntax", 4),
    ("x == 'é' ++ )", "unmatched ')'", 12),
    ("(x", "'(' is never closed", 0),
    ("y + [x, (1", "'(' is never closed", 8),
    ("(x]", "unmatched ']'", 2),
    ("x) or (y", "unmatched ')'", 1),
    ("'abc", "syntax error: unterminated string literal", 0),
    ('"""abc', "a string is never closed", 0),
    ("x &&& y", "syntax error: invalid syntax", 4),
    ("x\0", "the expression contains a null character", 1),
    ("'é' + q", "unknown name 'q'", 6),
]


@pytest.mark.parametrize(("source", "detail", "position"), REFUSALS)
def test_refused_at_compile_time(source: str, detail: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, names=NAMES)

    error = caught.value
    assert error.detail.startswith(detail)
    assert error.detail.endswith(f"(at position {position})")
    assert error.position == position
    assert error.source == source


def test_an_expression_error_is_an_invalid_input_problem() -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_condition("basket.total > 5 && bogus", names=NAMES)

    error = caught.value
    assert error.slug == "invalid-expression"
    assert error.kind is ErrorKind.INVALID
    assert error.extensions == {"source": "basket.total > 5 && bogus", "position": 20}


@pytest.mark.parametrize(
    ("source", "detail", "position"),
    [
        ("x" * (MAX_LENGTH + 1), "the expression is 2001 characters long; the limit is 2000", 2000),
        ("(" * 51 + "x" + ")" * 51, "brackets are nested too deeply (the limit is 50)", 50),
        ("-" * 60 + "x", "the expression is nested too deeply (the limit is 50)", 50),
        ("not " * 60 + "x", "the expression is nested too deeply (the limit is 50)", 200),
        ("-" * 1999 + "1", "the expression is nested too deeply (the limit is 50)", 50),
        ("[" * 1000 + "]" * 1000, "brackets are nested too deeply (the limit is 50)", 50),
    ],
)
def test_limits(source: str, detail: str, position: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source, names=NAMES)

    assert caught.value.detail == f"{detail} (at position {position})"


def test_within_the_limits() -> None:
    assert evaluate("(" * 50 + "y" + ")" * 50) == 2
    assert evaluate("-" * 49 + "y") == Decimal(-2)
    long_sum = " + ".join(["y"] * 40)
    assert evaluate(long_sum) == Decimal(80)
    assert evaluate("y in [" + ", ".join(map(str, range(300))) + "]") is True
    assert len("x or " * 399 + "x") <= MAX_LENGTH
    assert evaluate("x or " * 399 + "x") == Decimal(7)


# Hypothesis: any text compiles or is refused with ExpressionError, nothing else.

_PIECES = st.sampled_from(
    [
        "x", "y", "line", "basket", ".", "price", "labels", "__class__", "_x", "(", ")", "[",
        "]", "{", "}", ",", ":", "::", "'", '"', "'a'", '"""', "\\", "\n", "\r", " ", "\t",
        "&&", "||", "!", "!=", "==", "=", "<", ">=", "+", "-", "*", "/", "%", "**", "~", "&",
        "|", "and", "or", "not", "in", "is", "if", "else", "lambda", "for", "yield", "await",
        ":=", "*", "@", "#", "0", "1.5", "1e999", "0x1f", "5j", "null", "true", "None",
        "len", "has", "max", "round", "f'{x}'", "b'", "é", "\0", "$", "?", ";", "...",
    ]
)  # fmt: skip


@given(st.one_of(st.text(max_size=80), st.lists(_PIECES, max_size=30).map("".join)))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_compiles_or_is_refused_with_an_expression_error(source: str) -> None:
    compiled = _compiled_or_refusal(source)
    if isinstance(compiled, ExpressionError):
        assert 0 <= compiled.position <= len(source)
        assert compiled.source == source
        return
    with contextlib.suppress(EvaluationError):
        compiled(SCOPE)
    assert compile_condition(source, names=NAMES)(SCOPE) in (True, False)


def _compiled_or_refusal(source: str) -> CompiledExpression | ExpressionError:
    try:
        return compile_expression(source, names=NAMES)
    except ExpressionError as error:
        return error


# Hypothesis: decimal arithmetic and comparisons agree with Python on the same values.

_DECIMALS = st.decimals(
    allow_nan=False, allow_infinity=False, min_value=-(10**12), max_value=10**12, places=4
)
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}
_COMPARISON: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@st.composite
def _arithmetic(draw: st.DrawFn) -> tuple[str, dict[str, Decimal], Decimal]:
    """A parenthesised expression, the scope it reads and its value computed by Python.

    The value is NaN when Python refuses to compute it (a division by zero).
    """
    scope: dict[str, Decimal] = {}
    python = decimal.Context(prec=28, traps=[decimal.InvalidOperation, decimal.DivisionByZero])

    def build(depth: int) -> tuple[str, Decimal]:
        if depth == 0 or draw(st.booleans()):
            value = draw(_DECIMALS)
            if draw(st.booleans()):
                name = f"v{len(scope)}"
                scope[name] = value
                return name, value
            return f"({value})", value
        left_source, left = build(depth - 1)
        right_source, right = build(depth - 1)
        symbol = draw(st.sampled_from(sorted(_ARITHMETIC)))
        with decimal.localcontext(python):
            try:
                value = _ARITHMETIC[symbol](left, right)
            except decimal.DecimalException:
                value = Decimal("NaN")  # and NaN stays NaN through the operations above
        return f"({left_source} {symbol} {right_source})", value

    source, value = build(3)
    return source, scope, value


@given(_arithmetic(), st.sampled_from(sorted(_COMPARISON)), _DECIMALS)
@settings(max_examples=500, deadline=None)
def test_decimal_arithmetic_and_comparison_agree_with_python(
    expression: tuple[str, dict[str, Decimal], Decimal], symbol: str, bound: Decimal
) -> None:
    source, scope, expected = expression
    names = set(scope)
    if expected.is_nan():
        with pytest.raises(EvaluationError):
            compile_expression(source, names=names)(scope)
        assert compile_condition(f"{source} {symbol} {bound}", names=names)(scope) is False
        return

    assert compile_expression(source, names=names)(scope) == expected
    compared = compile_condition(f"{source} {symbol} {bound}", names=names)(scope)
    assert compared is _COMPARISON[symbol](expected, bound)
