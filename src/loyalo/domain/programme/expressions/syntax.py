"""From source text to a Python ``ast`` tree, with positions that point into the source.

The text is read with ``tokenize`` first, for three reasons: the CEL spellings
``&&``, ``||`` and ``!x`` become ``and``, ``or`` and a unary operator without
touching string literals or ``!=``; brackets are matched here so that an
unclosed one is reported where it opens; and nesting is limited before the
parser ever sees the text. The text is tokenized and parsed inside an extra
pair of brackets so that line breaks (a YAML block) are plain white space.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from loyalo.domain.errors import ExpressionError

MAX_LENGTH = 2000
MAX_DEPTH = 50

NOT_MARK = "~"
"""``!x`` is rewritten to ``~x``: the same length, and it binds as tightly as CEL's ``!``."""

_SUBSTITUTES = {"&&": " and ", "||": " or "}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())
_PREFIX, _SUFFIX = "(", "\n)"
_INTERESTING = frozenset({"&", "|", "!", *_OPENERS, *_CLOSERS})


@dataclass(frozen=True, slots=True)
class Parsed:
    source: str
    tree: ast.expr
    text: str  # what ``ast.parse`` read: the bracketed, translated source
    origins: tuple[int, ...]  # for each offset of ``text``, the offset in ``source``
    line_starts: tuple[int, ...]  # offsets of ``text`` where each line starts
    negations: frozenset[int]  # offsets of ``text`` holding a ``~`` that was a ``!``

    def offset(self, node: ast.AST) -> int:
        """Where a node starts, as an offset of ``text``."""
        line_start = self.line_starts[node.lineno - 1]  # type: ignore[attr-defined]
        column: int = node.col_offset  # type: ignore[attr-defined]
        if not self.text.isascii():  # the parser counts UTF-8 bytes
            line = self.text[line_start : line_start + column]
            column = len(line.encode()[:column].decode(errors="ignore"))
        return line_start + column

    def position(self, node: ast.AST) -> int:
        """Where a node starts in the source."""
        return self.origin(self.offset(node))

    def origin(self, offset: int) -> int:
        return self.origins[max(0, min(offset, len(self.origins) - 1))]

    def segment(self, node: ast.AST) -> str:
        """The text of a node as written (after translation), e.g. the digits of a number."""
        return ast.get_source_segment(self.text, node) or ""

    def error(self, detail: str, node: ast.AST) -> ExpressionError:
        return refusal(detail, self.source, self.position(node))


def refusal(detail: str, source: str, position: int) -> ExpressionError:
    return ExpressionError(f"{detail} (at position {position})", source=source, position=position)


def parse(source: str) -> Parsed:
    """The tree of ``source``; raises ExpressionError. Nesting is checked by the compiler."""
    _check_size(source)
    wrapped = _PREFIX + _normalise_newlines(source) + _SUFFIX
    if _plain(source):
        parsed = _parsed(source, wrapped, _identity_origins(source), [])
        if parsed is not None and parsed.offset(parsed.tree) > 0:
            return parsed  # the tree starts inside the wrapping bracket, so it never left it
    text, origins, negations = _translate(source, wrapped)
    parsed = _parsed(source, text, origins, negations, raising=True)
    assert parsed is not None
    return parsed


def _plain(source: str) -> bool:
    """No CEL spelling to translate and too few brackets to nest too deeply: tokenize can wait."""
    brackets = sum(source.count(opener) for opener in _OPENERS)
    return (
        brackets <= MAX_DEPTH
        and "&" not in source
        and "|" not in source
        and "!" not in source.replace("!=", "")
    )


def _parsed(
    source: str, text: str, origins: list[int], negations: list[int], *, raising: bool = False
) -> Parsed | None:
    try:
        tree = _parse_quietly(text)
    except SyntaxError as error:
        if not raising:
            return None  # the careful path explains it better (brackets, positions)
        raise _syntax_error(source, text, origins, error) from None
    except (ValueError, MemoryError, RecursionError):  # the parser's own limits
        raise refusal("the expression is too complex", source, 0) from None
    return Parsed(source, tree.body, text, tuple(origins), _line_starts(text), frozenset(negations))


def _identity_origins(source: str) -> list[int]:
    """Offsets into ``source`` of each character of the wrapped source (and one past the end)."""
    end = len(source)
    return [0, *range(end), end, end, end]


def _parse_quietly(text: str) -> ast.Expression:
    # The parser warns about sloppy literals (``1in x``, ``"\\d"``); the text is the
    # programme's, not ours, so the warning would only be noise in the service's log.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return ast.parse(text, mode="eval")


def _check_size(source: str) -> None:
    if len(source) > MAX_LENGTH:
        raise refusal(
            f"the expression is {len(source)} characters long; the limit is {MAX_LENGTH}",
            source,
            MAX_LENGTH,
        )
    if not source.strip():
        raise refusal("the expression is empty", source, 0)
    if "\0" in source:
        raise refusal("the expression contains a null character", source, source.index("\0"))


def _normalise_newlines(source: str) -> str:
    # Same length, so offsets stay valid; tokenize and the parser then agree on lines.
    return source.replace("\r\n", " \n").replace("\r", "\n")


class _Token(NamedTuple):
    string: str
    start: int  # offsets of the wrapped text
    end: int


def _translate(source: str, wrapped: str) -> tuple[str, list[int], list[int]]:
    """The text with CEL spellings replaced; each output character's offset in ``source``."""
    tokens = _checked_tokens(source, wrapped)
    identity = _identity_origins(source)
    pieces: list[str] = []
    origins: list[int] = []
    negations: list[int] = []
    length = 0  # of the text built so far
    copied = 0  # offset of ``wrapped`` copied so far
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        pair = token.string + following.string if following else ""
        if following and following.start == token.end and pair in _SUBSTITUTES:
            replacement, replaced = _SUBSTITUTES[pair], following.end - token.start
            index += 2
        elif token.string == "!":
            replacement, replaced = NOT_MARK, 1
            index += 1
        else:
            index += 1
            continue
        kept = wrapped[copied : token.start]
        pieces += [kept, replacement]
        origins += identity[copied : token.start]
        origins += [identity[token.start]] * len(replacement)
        if replacement == NOT_MARK:
            negations.append(length + len(kept))
        length += len(kept) + len(replacement)
        copied = token.start + replaced
    pieces.append(wrapped[copied:])
    origins += identity[copied:]
    return "".join(pieces), origins, negations


def _checked_tokens(source: str, wrapped: str) -> list[_Token]:
    """The tokens, after checking brackets: each closes the last one opened, within the depth."""
    starts = _line_starts(wrapped)
    open_brackets: list[tuple[str, int]] = []
    tokens = []
    for info in _tokens(source, wrapped):
        if info.string not in _INTERESTING:
            continue  # only brackets and what may be a CEL spelling matter here
        start = starts[info.start[0] - 1] + info.start[1]
        end = starts[info.end[0] - 1] + info.end[1]
        if info.string in _OPENERS or info.string in _CLOSERS:
            _track_bracket(info.string, start, len(wrapped), open_brackets, source)
        tokens.append(_Token(info.string, start, end))
    return tokens


def _tokens(source: str, wrapped: str) -> Iterator[tokenize.TokenInfo]:
    try:
        yield from tokenize.generate_tokens(io.StringIO(wrapped).readline)
    except tokenize.TokenError as error:
        message, (row, column) = error.args
        start = _line_starts(wrapped)[min(row, wrapped.count("\n") + 1) - 1] + column
        detail = "a string is never closed" if "string" in message else message
        raise refusal(detail, source, _source_offset(start, source)) from None
    except SyntaxError as error:  # e.g. an indentation error inside a multi-line string
        raise refusal(f"syntax error: {error.msg}", source, 0) from None


def _track_bracket(
    bracket: str, offset: int, end: int, open_brackets: list[tuple[str, int]], source: str
) -> None:
    if offset in (0, end - 1):  # the wrapping pair
        if offset and open_brackets:
            opener, at = open_brackets[-1]
            raise refusal(f"'{opener}' is never closed", source, _source_offset(at, source))
        return
    if bracket in _OPENERS:
        open_brackets.append((bracket, offset))
        if len(open_brackets) > MAX_DEPTH:
            raise refusal(
                f"brackets are nested too deeply (the limit is {MAX_DEPTH})",
                source,
                _source_offset(offset, source),
            )
        return
    if not open_brackets or _OPENERS[open_brackets[-1][0]] != bracket:
        raise refusal(f"unmatched '{bracket}'", source, _source_offset(offset, source))
    open_brackets.pop()


def _source_offset(wrapped_offset: int, source: str) -> int:
    return max(0, min(wrapped_offset - len(_PREFIX), len(source)))


def _line_starts(text: str) -> tuple[int, ...]:
    starts = [0]
    starts.extend(index + 1 for index, char in enumerate(text) if char == "\n")
    return tuple(starts)


def _syntax_error(
    source: str, text: str, origins: list[int], error: SyntaxError
) -> ExpressionError:
    starts = _line_starts(text)
    line = min(max(error.lineno or 1, 1), len(starts))
    offset = starts[line - 1] + max((error.offset or 1) - 1, 0)
    position = origins[max(0, min(offset, len(origins) - 1))]
    return refusal(f"syntax error: {error.msg}", source, position)
