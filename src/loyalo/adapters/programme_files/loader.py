"""Reading a programme document and saying exactly where it is wrong.

Pydantic reports a location as a path (``rules.2.effect.factor``); the YAML
composer knows the line and column of every node. Walking the composed tree
along the path turns one into the other, so an error reads
``programme.yaml:41:15 rules[2].effect.factor: must be greater than 1``. A path
that leads to nothing in the file (a missing field) is placed at its nearest
parent that is there. JSON is read as JSON and located the same way (JSON is
YAML once its tabs are spaces).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from loyalo.domain.errors import DomainError, ExpressionError, InvalidProgramme, ProgrammeError
from loyalo.domain.programme.document import ProgrammeDocument, Rule
from loyalo.domain.programme.engine.compiled import compile_programme

SCHEMA_ID = "https://loyalo.dev/schemas/programme.schema.json"
_DISCRIMINATORS = ("type", "policy")  # of effects and expiry policies
MAX_NODES = 100_000  # aliases can make a small text a huge document ("billion laughs")

Location = Sequence[str | int]


def load_programme(path: Path) -> ProgrammeDocument:
    return parse_programme(read_source(path))


def read_source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InvalidProgramme(f"cannot read {path}: {reason}", errors=[]) from exc


def parse_programme(text: str) -> ProgrammeDocument:
    """A validated document from YAML or JSON text; InvalidProgramme names every error."""
    data, root = _read(text)
    if not isinstance(data, dict):
        error = ProgrammeError("", "the document must be a mapping of fields", 1, 1)
        raise InvalidProgramme("the document is not a programme", errors=[error])
    _refuse(_duplicate_keys(root))
    try:
        document = ProgrammeDocument.model_validate(data)
    except ValidationError as exc:
        located = [_located(error, data, root) for error in exc.errors(include_url=False)]
        _refuse(located)
        raise  # pragma: no cover - a ValidationError always has errors
    _refuse(_expression_errors(document, root, text))
    return document


def schema() -> dict[str, Any]:
    document = ProgrammeDocument.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Loyalo programme",
        "description": "A loyalty programme: rates, pending points, expiry, tiers and rules.",
        **{key: value for key, value in document.items() if key != "title"},
    }


def _refuse(errors: list[ProgrammeError]) -> None:
    if errors:
        raise InvalidProgramme(f"{len(errors)} error(s) in the programme", errors=errors)


# --- reading -----------------------------------------------------------------------------


def _read(text: str) -> tuple[Any, yaml.Node | None]:
    try:
        data = json.loads(text)
    except ValueError as json_error:
        return _read_yaml(text, json_error if _looks_like_json(text) else None)
    try:
        # Inside valid JSON a tab can only be whitespace, so spaces keep every line and column.
        return data, _compose(text.replace("\t", " "))
    except yaml.YAMLError:
        return data, None


def _read_yaml(text: str, json_error: ValueError | None) -> tuple[Any, yaml.Node | None]:
    loader = yaml.SafeLoader(text)
    try:
        root: yaml.Node | None = loader.get_single_node()
        _count_nodes(root)
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        error = _json_syntax(json_error) if json_error is not None else _yaml_syntax(exc)
        raise InvalidProgramme("the document is not valid YAML or JSON", errors=[error]) from exc
    finally:
        loader.dispose()
    return data, root


def _compose(text: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    return node


def _looks_like_json(text: str) -> bool:
    return text.lstrip().startswith(("{", "["))


def _count_nodes(root: yaml.Node | None) -> None:
    for count, _ in enumerate(_walk(root), 1):
        if count > MAX_NODES:
            error = ProgrammeError("", f"the document has more than {MAX_NODES} values", 1, 1)
            raise InvalidProgramme("the document is too large", errors=[error])


def _walk(node: yaml.Node | None) -> Iterator[yaml.Node]:
    """Every node as the document expands it (an alias is walked again each time)."""
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, yaml.MappingNode):
            stack += [part for pair in current.value for part in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value


def _yaml_syntax(exc: yaml.YAMLError) -> ProgrammeError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return ProgrammeError("", str(problem))
    return ProgrammeError("", str(problem), mark.line + 1, mark.column + 1)


def _json_syntax(exc: ValueError) -> ProgrammeError:
    if isinstance(exc, json.JSONDecodeError):
        return ProgrammeError("", exc.msg, exc.lineno, exc.colno)
    return ProgrammeError("", str(exc))


def _duplicate_keys(root: yaml.Node | None) -> list[ProgrammeError]:
    """YAML and JSON readers keep the last of two equal keys; a programme must not rely on that."""
    errors: dict[tuple[int, int], ProgrammeError] = {}
    for node in _walk(root):
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: set[Any] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value in seen:
                line, column = key.start_mark.line + 1, key.start_mark.column + 1
                message = f"the key {key.value!r} appears twice in the same mapping"
                errors[line, column] = ProgrammeError(str(key.value), message, line, column)
            seen.add(key.value if isinstance(key, yaml.ScalarNode) else id(key))
    return list(errors.values())


# --- locating -----------------------------------------------------------------------------


def _located(error: Any, data: Any, root: yaml.Node | None) -> ProgrammeError:
    location = _without_union_tags(error["loc"], data)
    node = _node_at(root, location)
    message = str(error["msg"]).removeprefix("Value error, ")
    return _error_at(_path(location), message, node)


def _without_union_tags(loc: Sequence[Any], data: Any) -> list[str | int]:
    """Pydantic names the member of a tagged union it chose (``effect.stamps.goal``).

    That part is the value of the union's discriminator, or names no field of
    the data there; it is never the last part (a missing field is, and stays).
    """
    kept: list[str | int] = []
    for index, part in enumerate(loc):
        if index < len(loc) - 1 and _is_union_tag(data, part):
            continue
        kept.append(part)
        data = _child_data(data, part)
    return kept


def _is_union_tag(data: Any, part: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(part, str):
        return False
    return part not in data or any(data.get(field) == part for field in _DISCRIMINATORS)


def _child_data(data: Any, part: str | int) -> Any:
    if isinstance(data, dict):
        return data.get(part)
    if isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
        return data[part]
    return None


def _node_at(root: yaml.Node | None, location: Location) -> yaml.Node | None:
    """The node at ``location``, or its nearest ancestor in the file."""
    node = root
    for part in location:
        child = _child_node(node, part)
        if child is None:
            break
        node = child
    return node


def _child_node(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                found: yaml.Node = value
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def _error_at(path: str, message: str, node: yaml.Node | None, offset: int = 0) -> ProgrammeError:
    if node is None:
        return ProgrammeError(path, message)
    return ProgrammeError(
        path, message, node.start_mark.line + 1, node.start_mark.column + 1 + offset
    )


def _path(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- expressions --------------------------------------------------------------------------


def _expression_errors(
    document: ProgrammeDocument, root: yaml.Node | None, text: str
) -> list[ProgrammeError]:
    """Compile each rule as the engine will, so a bad condition is refused before it is applied."""
    errors: list[ProgrammeError] = []
    for index, rule in enumerate(document.rules):
        try:
            compile_programme(document.model_copy(update={"rules": [rule]}), 0)
        except ExpressionError as exc:
            errors += _expression_error(index, rule, exc, root, text)
        except DomainError as exc:
            errors.append(
                _error_at(f"rules[{index}]", exc.detail, _node_at(root, ["rules", index]))
            )
    return errors


def _expression_error(
    index: int, rule: Rule, exc: ExpressionError, root: yaml.Node | None, text: str
) -> list[ProgrammeError]:
    rule_at: list[str | int] = ["rules", index]
    locations = [[*rule_at, *field] for field, source in _expressions(rule) if source == exc.source]
    errors: list[ProgrammeError] = []
    for location in locations or [rule_at]:
        node = _node_at(root, location)
        offset = _offset_in_scalar(node, exc.source, exc.position, text)
        errors.append(_error_at(_path(location), exc.detail, node, offset))
    return errors


def _expressions(rule: Rule) -> list[tuple[list[str | int], str | None]]:
    per_member = rule.limits.per_member if rule.limits else None
    return [
        (["when"], rule.when),
        (["lines"], rule.lines),
        (["limits", "per_member", "key"], per_member.key if per_member else None),
    ]


def _offset_in_scalar(node: yaml.Node | None, source: str, position: int, text: str) -> int:
    """Where in the line the offending part is, when the scalar is written as it reads."""
    if not isinstance(node, yaml.ScalarNode):
        return 0
    raw = text[node.start_mark.index : node.end_mark.index]
    if raw == source:
        return position
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == source:
        return position + 1
    return 0
