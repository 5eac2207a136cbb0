"""A whitelisted ``ast`` tree compiled once into nested closures.

Each node becomes a closure over the closures of its children, so evaluating
an expression is a chain of calls with no tree walking and no dispatch on node
types. Any node type, operator or name the language does not have is refused
here, at compile time, with its position.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from loyalo.domain.programme.expressions import runtime
from loyalo.domain.programme.expressions.functions import FUNCTIONS, Function
from loyalo.domain.programme.expressions.runtime import (
    FAILURES,
    EvaluationError,
    Evaluator,
    Scope,
    describe,
    explain,
    plain,
    read_attribute,
)
from loyalo.domain.programme.expressions.syntax import MAX_DEPTH, Parsed, parse

Binary = Callable[[Any, Any], Any]

_CONSTANT_NAMES: Mapping[str, object] = {"true": True, "false": False, "null": None}

_ARITHMETIC: Mapping[type[ast.operator], tuple[str, Binary]] = {
    ast.Add: ("+", runtime.add),
    ast.Sub: ("-", runtime.subtract),
    ast.Mult: ("*", runtime.multiply),
    ast.Div: ("/", runtime.divide),
    ast.Mod: ("%", runtime.remainder),
}
_REFUSED_OPERATORS: Mapping[type[ast.AST], str] = {
    ast.Pow: "'**'",
    ast.FloorDiv: "'//'",
    ast.MatMult: "'@'",
    ast.LShift: "'<<'",
    ast.RShift: "'>>'",
    ast.BitOr: "'|' (write 'or' or '||')",
    ast.BitAnd: "'&' (write 'and' or '&&')",
    ast.BitXor: "'^'",
    ast.Invert: "'~' (write 'not' or '!')",
    ast.Is: "'is' (write == null)",
    ast.IsNot: "'is not' (write != null)",
}


def _is_in(item: object, container: object) -> bool:
    return runtime.contains(container, item)


def _is_not_in(item: object, container: object) -> bool:
    return not runtime.contains(container, item)


_COMPARISONS: Mapping[type[ast.cmpop], tuple[str, Binary]] = {
    ast.Eq: ("==", runtime.equal),
    ast.NotEq: ("!=", runtime.not_equal),
    ast.Lt: ("<", runtime.less),
    ast.LtE: ("<=", runtime.less_or_equal),
    ast.Gt: (">", runtime.greater),
    ast.GtE: (">=", runtime.greater_or_equal),
    ast.In: ("in", _is_in),
    ast.NotIn: ("not in", _is_not_in),
}
_CONSTRUCTS: Mapping[type[ast.AST], str] = {
    ast.Lambda: "a lambda",
    ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension",
    ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.NamedExpr: "an assignment (:=)",
    ast.Starred: "unpacking with '*'",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.IfExp: "a conditional expression (x if c else y)",
    ast.Dict: "a dict literal",
    ast.Set: "a set literal",
}


@dataclass(frozen=True, slots=True)
class CompiledExpression:
    """An expression compiled once; call it with a scope (a mapping of the names) to evaluate.

    A call raises :class:`EvaluationError` when the data does not fit the
    expression (comparing a string with a number, dividing by zero).
    """

    source: str
    names_used: frozenset[str]
    _evaluate: Evaluator = field(repr=False, compare=False)

    def __call__(self, scope: Mapping[str, object]) -> object:
        try:
            return self._evaluate(scope)
        except EvaluationError:
            raise
        except FAILURES as error:
            raise EvaluationError(explain(error), 0) from None


def compile_expression(source: str, *, names: Collection[str]) -> CompiledExpression:
    """Compile ``source``, which may read only ``names``; raises ExpressionError."""
    compiler = _Compiler(parse(source), frozenset(names))
    evaluate = compiler.compile(compiler.parsed.tree).evaluate
    return CompiledExpression(source, frozenset(compiler.used), evaluate)


def compile_condition(source: str, *, names: Collection[str]) -> Callable[[Scope], bool]:
    """Compile ``source`` as a condition: true when its value is truthy.

    Evaluating never raises: a condition over data it cannot evaluate is not met.
    """
    return condition_of(compile_expression(source, names=names))


def condition_of(expression: CompiledExpression) -> Callable[[Scope], bool]:
    """A compiled expression as a condition (see :func:`compile_condition`), for a caller
    that also wants the expression's ``names_used`` without compiling the text twice."""
    evaluate = expression._evaluate

    def condition(scope: Scope) -> bool:
        try:
            return True if evaluate(scope) else False  # noqa: SIM210 - faster than bool()
        except Exception:  # data the rule cannot read means the rule does not apply
            return False

    return condition


@dataclass(frozen=True, slots=True)
class _Node:
    evaluate: Evaluator
    constant: bool = False
    value: Any = None


def _constant(value: object) -> _Node:
    def evaluate(scope: Scope) -> object:
        return value

    return _Node(evaluate, constant=True, value=value)


def _guarded(
    symbol: str, operation: Binary, left: Evaluator, right: Evaluator, at: int
) -> Evaluator:
    def evaluate(scope: Scope) -> object:
        left_value, right_value = left(scope), right(scope)
        try:
            return operation(left_value, right_value)
        except FAILURES as error:
            raise EvaluationError(f"'{symbol}': {explain(error)}", at) from None

    return evaluate


def _guarded_constant(
    symbol: str, operation: Binary, left: Evaluator, right: object, at: int
) -> Evaluator:
    def evaluate(scope: Scope) -> object:
        left_value = left(scope)
        try:
            return operation(left_value, right)
        except FAILURES as error:
            raise EvaluationError(f"'{symbol}': {explain(error)}", at) from None

    return evaluate


class _Compiler:
    def __init__(self, parsed: Parsed, names: frozenset[str]) -> None:
        self.parsed = parsed
        self.names = names
        self.used: set[str] = set()
        self._depth = 0
        self._handlers: Mapping[type[ast.AST], Callable[[Any], _Node]] = {
            ast.Constant: self._constant,
            ast.Name: self._name,
            ast.Attribute: self._attribute,
            ast.Subscript: self._subscript,
            ast.List: self._sequence,
            ast.Tuple: self._sequence,
            ast.BoolOp: self._boolean,
            ast.UnaryOp: self._unary,
            ast.BinOp: self._arithmetic,
            ast.Compare: self._compare,
            ast.Call: self._call,
        }

    def compile(self, node: ast.expr) -> _Node:
        if self._depth == MAX_DEPTH:
            raise self._refuse(
                f"the expression is nested too deeply (the limit is {MAX_DEPTH})", node
            )
        handler = self._handlers.get(type(node))
        if handler is None:
            construct = _CONSTRUCTS.get(type(node), f"'{type(node).__name__}'")
            raise self.parsed.error(f"{construct} is not allowed", node)
        self._depth += 1
        try:
            return handler(node)
        finally:
            self._depth -= 1

    def _refuse(self, detail: str, node: ast.AST) -> Exception:
        return self.parsed.error(detail, node)

    def _at(self, node: ast.AST) -> int:
        return self.parsed.position(node)

    # literals and names

    def _constant(self, node: ast.Constant) -> _Node:
        value = node.value
        if value is None or isinstance(value, bool | str):
            return _constant(value)
        if isinstance(value, int):
            return _constant(Decimal(value))
        if isinstance(value, float):
            return _constant(self._decimal(node))
        kind = {complex: "a complex number", bytes: "a bytes literal"}.get(type(value), "'...'")
        raise self._refuse(f"{kind} is not allowed", node)

    def _decimal(self, node: ast.Constant) -> Decimal:
        try:  # the digits as written: 100.50 stays exact, unlike the float the parser made
            return Decimal(self.parsed.segment(node).replace("_", ""))
        except InvalidOperation:
            return Decimal(str(node.value))

    def _name(self, node: ast.Name) -> _Node:
        name = node.id
        if name in _CONSTANT_NAMES:
            return _constant(_CONSTANT_NAMES[name])
        if name not in self.names:
            known = ", ".join(sorted(self.names)) or "none"
            hint = " (a function must be called)" if name in FUNCTIONS else ""
            raise self._refuse(f"unknown name '{name}'{hint}; the names are: {known}", node)
        self.used.add(name)

        def evaluate(scope: Scope) -> object:
            return plain(scope.get(name))

        return _Node(evaluate)

    def _attribute(self, node: ast.Attribute) -> _Node:
        attribute = node.attr
        if attribute.startswith("_"):
            raise self._refuse(
                f"the attribute '{attribute}' is not allowed: names starting with '_' are private",
                node,
            )
        if isinstance(node.value, ast.Call):
            raise self._refuse("reading an attribute of a function's result is not allowed", node)
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in self.names:
            self.used.add(owner.id)
            return _Node(runtime.name_field_reader(owner.id, attribute))
        value = self.compile(owner).evaluate

        def read(scope: Scope) -> object:
            return read_attribute(value(scope), attribute)

        return _Node(read)

    def _subscript(self, node: ast.Subscript) -> _Node:
        value = self.compile(node.value).evaluate
        at = self._at(node)
        if isinstance(node.slice, ast.Slice):
            return self._slice(node.slice, value, at)
        key = self.compile(node.slice)
        if key.constant and isinstance(key.value, str) and key.value.startswith("_"):
            raise self._refuse(f"the key '{key.value}' is not allowed: it is private", node.slice)
        return _Node(_guarded("[]", runtime.read_item, value, key.evaluate, at))

    def _slice(self, node: ast.Slice, value: Evaluator, at: int) -> _Node:
        if node.step is not None:
            raise self._refuse("a slice with a step is not allowed", node.step)
        lower = self.compile(node.lower).evaluate if node.lower else _constant(None).evaluate
        upper = self.compile(node.upper).evaluate if node.upper else _constant(None).evaluate

        def read(scope: Scope) -> object:
            container, start, stop = value(scope), lower(scope), upper(scope)
            try:
                return runtime.read_slice(container, start, stop)
            except FAILURES as error:
                raise EvaluationError(f"'[:]': {explain(error)}", at) from None

        return _Node(read)

    def _sequence(self, node: ast.List | ast.Tuple) -> _Node:
        items = [self.compile(item) for item in node.elts]
        build: Callable[[Any], Any] = list if isinstance(node, ast.List) else tuple
        if all(item.constant for item in items):
            return _constant(build(item.value for item in items))
        evaluators = tuple(item.evaluate for item in items)

        def evaluate(scope: Scope) -> object:
            return build([item(scope) for item in evaluators])

        return _Node(evaluate)

    # operators

    def _boolean(self, node: ast.BoolOp) -> _Node:
        operands = tuple(self.compile(value).evaluate for value in node.values)
        if isinstance(node.op, ast.And):
            return _Node(_all(operands))
        return _Node(_any(operands))

    def _unary(self, node: ast.UnaryOp) -> _Node:
        operand = self.compile(node.operand)
        if isinstance(node.op, ast.Not) or (
            isinstance(node.op, ast.Invert) and self.parsed.offset(node) in self.parsed.negations
        ):
            evaluate = operand.evaluate

            def negation(scope: Scope) -> bool:
                return not evaluate(scope)

            return _Node(negation)
        if isinstance(node.op, ast.Invert):
            raise self._refuse(
                f"the operator {_REFUSED_OPERATORS[ast.Invert]} is not allowed", node
            )
        sign = runtime.negate if isinstance(node.op, ast.USub) else runtime.positive
        if operand.constant and isinstance(operand.value, Decimal):
            return _constant(sign(operand.value))
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        at, evaluate = self._at(node), operand.evaluate

        def signed(scope: Scope) -> object:
            value = evaluate(scope)
            try:
                return sign(value)
            except FAILURES as error:
                raise EvaluationError(f"'{symbol}': {explain(error)}", at) from None

        return _Node(signed)

    def _arithmetic(self, node: ast.BinOp) -> _Node:
        known = _ARITHMETIC.get(type(node.op))
        if known is None:
            symbol = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
            raise self._refuse(f"the operator {symbol} is not allowed", node)
        symbol, operation = known
        left, right = self.compile(node.left), self.compile(node.right)
        at = self._at(node)
        if right.constant:
            return _Node(_guarded_constant(symbol, operation, left.evaluate, right.value, at))
        return _Node(_guarded(symbol, operation, left.evaluate, right.evaluate, at))

    def _compare(self, node: ast.Compare) -> _Node:
        steps = [self._comparison(op, node) for op in node.ops]
        operands = [self.compile(node.left), *(self.compile(value) for value in node.comparators)]
        at = self._at(node)
        if len(steps) == 1:
            left, right = operands
            return _Node(_single_comparison(type(node.ops[0]), steps[0], left, right, at))
        rest = tuple(operand.evaluate for operand in operands[1:])
        return _Node(_chain(operands[0].evaluate, tuple(zip(steps, rest, strict=True)), at))

    def _comparison(self, op: ast.cmpop, node: ast.Compare) -> tuple[str, Binary]:
        known = _COMPARISONS.get(type(op))
        if known is None:
            symbol = _REFUSED_OPERATORS.get(type(op), type(op).__name__)
            raise self._refuse(f"the operator {symbol} is not allowed", node)
        return known

    # calls

    def _call(self, node: ast.Call) -> _Node:
        function = self._function(node)
        if node.keywords:
            raise self._refuse("keyword arguments are not allowed", node.keywords[0])
        arguments = tuple(self.compile(argument).evaluate for argument in node.args)
        if not function.accepts(len(arguments)):
            raise self._refuse(f"wrong number of arguments: {function.usage}", node)
        return _Node(_calling(node.func.id, function, arguments, self._at(node)))  # type: ignore[attr-defined]

    def _function(self, node: ast.Call) -> Function:
        callee = node.func
        if isinstance(callee, ast.Attribute):
            raise self._refuse(
                f"method calls are not allowed: write {callee.attr}(x), not x.{callee.attr}()", node
            )
        if not isinstance(callee, ast.Name):
            raise self._refuse("only the named functions can be called", node)
        function = FUNCTIONS.get(callee.id)
        if function is None:
            known = ", ".join(FUNCTIONS)
            raise self._refuse(
                f"there is no function '{callee.id}'; the functions are: {known}", node
            )
        return function


def _all(operands: tuple[Evaluator, ...]) -> Evaluator:
    if len(operands) == 2:
        first, second = operands

        def both(scope: Scope) -> object:
            return first(scope) and second(scope)

        return both

    def every(scope: Scope) -> object:
        value: object = True
        for operand in operands:
            value = operand(scope)
            if not value:
                return value
        return value

    return every


def _any(operands: tuple[Evaluator, ...]) -> Evaluator:
    if len(operands) == 2:
        first, second = operands

        def either(scope: Scope) -> object:
            return first(scope) or second(scope)

        return either

    def some(scope: Scope) -> object:
        value: object = False
        for operand in operands:
            value = operand(scope)
            if value:
                return value
        return value

    return some


def _chain(
    first: Evaluator, links: tuple[tuple[tuple[str, Binary], Evaluator], ...], at: int
) -> Evaluator:
    """``a < b <= c``: each operand evaluated once, stopping at the first false link."""

    def evaluate(scope: Scope) -> bool:
        left = first(scope)
        for (symbol, operation), operand in links:
            right = operand(scope)
            try:
                if not operation(left, right):
                    return False
            except FAILURES as error:
                raise EvaluationError(f"'{symbol}': {explain(error)}", at) from None
            left = right
        return True

    return evaluate


def _calling(name: str, function: Function, arguments: tuple[Evaluator, ...], at: int) -> Evaluator:
    call = function.call

    def fail(error: Exception) -> EvaluationError:
        return EvaluationError(f"{name}(): {explain(error)}", at)

    if len(arguments) == 1:
        (only,) = arguments

        def call_one(scope: Scope) -> object:
            value = only(scope)
            try:
                return call(value)
            except FAILURES as error:
                raise fail(error) from None

        return call_one

    def call_many(scope: Scope) -> object:
        values = [argument(scope) for argument in arguments]
        try:
            return call(*values)
        except FAILURES as error:
            raise fail(error) from None

    return call_many


def _single_comparison(
    kind: type[ast.cmpop], step: tuple[str, Binary], left: _Node, right: _Node, at: int
) -> Evaluator:
    """The closure of one comparison, specialised for the common shapes of a condition."""
    symbol, operation = step
    if right.constant and kind in (ast.Eq, ast.NotEq):
        return _equals_constant(left.evaluate, right.value, kind is ast.Eq)
    if right.constant and kind in _ORDERINGS and right.value is not None:
        return _ordered_constant(symbol, _ORDERINGS[kind], left.evaluate, right.value, at)
    if right.constant and kind in (ast.In, ast.NotIn) and isinstance(right.value, list | tuple):
        return _in_constants(left.evaluate, right.value, kind is ast.In)
    if left.constant and isinstance(left.value, str) and kind in (ast.In, ast.NotIn):
        return _constant_in(left.value, right.evaluate, kind is ast.In, at)
    return _guarded(symbol, operation, left.evaluate, right.evaluate, at)


_ORDERINGS: Mapping[type[ast.cmpop], Binary] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def _equals_constant(left: Evaluator, constant: object, equal: bool) -> Evaluator:
    def equals(scope: Scope) -> object:
        return left(scope) == constant

    def differs(scope: Scope) -> object:
        return left(scope) != constant

    return equals if equal else differs


def _ordered_constant(
    symbol: str, compare: Binary, left: Evaluator, constant: object, at: int
) -> Evaluator:
    def evaluate(scope: Scope) -> object:
        value = left(scope)
        if value is None:
            return False
        try:
            return compare(value, constant)
        except FAILURES as error:
            detail = f"cannot compare {describe(value)} with {describe(constant)}"
            if not isinstance(error, TypeError):
                detail = explain(error)
            raise EvaluationError(f"'{symbol}': {detail}", at) from None

    return evaluate


def _in_constants(
    left: Evaluator, constants: list[object] | tuple[object, ...], inside: bool
) -> Evaluator:
    """``x in [constants]``: a set lookup, or a scan when an item is unhashable."""
    try:
        members: frozenset[object] | tuple[object, ...] = frozenset(constants)
    except TypeError:
        members = tuple(constants)
    scan = tuple(constants)

    def evaluate(scope: Scope) -> bool:
        item = left(scope)
        try:
            found = item in members
        except TypeError:
            found = item in scan
        return found is inside

    return evaluate


def _constant_in(item: str, right: Evaluator, inside: bool, at: int) -> Evaluator:
    """``"red" in line.labels``; a missing container contains nothing."""

    def evaluate(scope: Scope) -> bool:
        container = right(scope)
        if container is None:
            return not inside
        try:
            found = item in container
        except FAILURES as error:
            symbol = "in" if inside else "not in"
            raise EvaluationError(f"'{symbol}': {explain(error)}", at) from None
        return found is inside

    return evaluate
