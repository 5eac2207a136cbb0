"""The expression language of rule conditions: ``when``, ``lines`` and ``limits.per_member.key``.

A condition is one expression over the names the engine provides (``basket``,
``line``, ``member``, ``tier``, ``channel``, ``store``, ``time``, ``event``...)::

    line.category == "coffee" and line.price >= 5
    "red" in line.labels
    time.weekday in [5, 6] && basket.total > 100
    !has(member.attributes.email) || channel == "app"

It looks like Python, and CEL's ``&&``, ``||`` and ``!`` work too. It is never
run by Python: the text is parsed, checked against the list below, and compiled
once into plain functions. Anything not on the list is refused when the
programme is validated, with the position of the offending part.

**Values.** Numbers are exact decimals: ``100.50``, ``5``, ``-3``, ``1e3``
(``basket.total >= 100.50`` compares money exactly). Strings in single or
double quotes. ``true``, ``false`` and ``null`` (also ``True``, ``False``,
``None``). Lists ``[5, 6]`` and tuples ``(5, 6)``.

**Names and fields.** Only the names the engine provides; any other name is an
error. ``a.b.c`` reads a field; ``a["b"]`` and ``a[0]`` do the same by key or
index, and ``a[1:3]`` takes part of a string or list. A field that is not
there, an index out of range, or any field of ``null`` is ``null``. Fields
whose names start with ``_`` do not exist.

**Operators**, from the loosest to the tightest:

- ``or`` / ``||``, then ``and`` / ``&&``: short-circuit, and give the value
  that decided (``member.attributes.city or "none"``);
- ``not x`` (``!x`` binds tighter, as in CEL: ``!has(x) == true``);
- comparisons ``==  !=  <  <=  >  >=``, chained like ``0 < x <= 10``, and
  ``in`` / ``not in`` (an item of a list, a part of a string, a key of a map).
  ``<``, ``<=``, ``>`` and ``>=`` are false when either side is ``null``;
  ``== null`` and ``!= null`` test for a missing value; ``x in null`` is false
  and ``x not in null`` is true;
- ``+  -`` then ``*  /  %``, and unary ``-``: decimal arithmetic, 28
  significant digits (``/`` does not truncate: ``7 / 2`` is ``3.5``; ``%``
  keeps the sign of the left side). ``+`` also joins two strings.

**Functions** (nothing else can be called; methods such as ``x.lower()`` cannot):

- ``len(x)``: characters of a string or items of a list; 0 for ``null``;
- ``lower(s)``, ``upper(s)``; ``startswith(s, prefix)``, ``endswith(s, suffix)``;
- ``contains(s, part)``: the same as ``part in s``;
- ``any_of(x, v1, v2, ...)``: the list ``x`` contains one of the values (or ``x``
  equals one of them); ``all_of(x, v1, v2, ...)``: it contains all of them;
- ``has(x.y)``: ``x.y`` is not ``null``;
- ``abs(n)``; ``round(n)``, ``round(n, places)``: half up (``round(2.5)`` is 3);
- ``min(a, b, ...)``, ``max(a, b, ...)``, or of the items of one list: ``min(xs)``;
- ``number("12.50")``: a string as a number; ``string(x)``: a value as a string.

**Not in the language** (each is refused with its position): assignments
(``:=``), ``lambda``, comprehensions, f-strings, ``x if c else y``, dicts and
sets, ``*`` unpacking, ``**``, ``//``, bitwise operators, ``is``, slices with a
step, method calls, fields of a function's result, and calls of anything but
the functions above. An expression is at most 2000 characters and 50 levels
deep.

**Errors at run time.** Data that does not fit the expression (comparing a
string with a number, dividing by zero) makes a condition false; it never
stops a purchase. Called directly, a :class:`CompiledExpression` raises
:class:`EvaluationError` instead.
"""

from loyalo.domain.programme.expressions.compiler import (
    CompiledExpression,
    compile_condition,
    compile_expression,
    condition_of,
)
from loyalo.domain.programme.expressions.functions import FUNCTIONS
from loyalo.domain.programme.expressions.runtime import EvaluationError
from loyalo.domain.programme.expressions.syntax import MAX_DEPTH, MAX_LENGTH

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CompiledExpression",
    "EvaluationError",
    "compile_condition",
    "compile_expression",
    "condition_of",
]
