"""Reading a programme document and saying exactly where it is wrong.

Pydantic reports a location as a path (``rules.2.effect.factor``); the YAML
composer knows the line and column of every node. Walking the composed tree
along the path turns one into the other, so an error reads
``programme.yaml:41:15 rules[2].effect.factor: must be greater than 1``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from loyalo.domain.errors import InvalidProgramme, ProgrammeError
from loyalo.domain.programme.document import ProgrammeDocument

SCHEMA_ID = "https://loyalo.dev/schemas/programme.schema.json"


def load_programme(path: Path) -> ProgrammeDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidProgramme(f"cannot read {path}: {exc.strerror}", errors=[]) from exc
    return parse_programme(text)


def parse_programme(text: str) -> ProgrammeDocument:
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise InvalidProgramme(
            "the document is not valid YAML or JSON", errors=[_syntax(exc)]
        ) from exc
    if not isinstance(data, dict):
        error = ProgrammeError("", "the document must be a mapping of fields", 1, 1)
        raise InvalidProgramme("the document is not a programme", errors=[error])
    try:
        return ProgrammeDocument.model_validate(data)
    except ValidationError as exc:
        errors = [_located(error, root) for error in exc.errors(include_url=False)]
        raise InvalidProgramme(f"{len(errors)} error(s) in the programme", errors=errors) from exc


def schema() -> dict[str, Any]:
    document = ProgrammeDocument.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Loyalo programme",
        "description": "A loyalty programme: rates, pending points, expiry, tiers and rules.",
        **{key: value for key, value in document.items() if key != "title"},
    }


def _syntax(exc: yaml.YAMLError) -> ProgrammeError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return ProgrammeError("", str(problem), line, column)


def _located(error: Any, root: yaml.Node | None) -> ProgrammeError:
    location = [part for part in error["loc"] if not _is_union_tag(part)]
    node = root
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        node = child
    line = node.start_mark.line + 1 if node is not None else None
    column = node.start_mark.column + 1 if node is not None else None
    message = str(error["msg"]).removeprefix("Value error, ")
    return ProgrammeError(_path(location), message, line, column)


def _is_union_tag(part: Any) -> bool:
    """Pydantic names the chosen member of a tagged union (``points``) in the path."""
    return isinstance(part, str) and part in _EFFECT_AND_POLICY_TAGS


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                found: yaml.Node = value
                return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None


def _path(location: list[Any]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_EFFECT_AND_POLICY_TAGS = frozenset(
    {
        "points",
        "points_per_amount",
        "multiplier",
        "points_per_unit",
        "product_bonus",
        "cashback",
        "stamps",
        "progressive_discount",
        "discount",
        "issue_reward",
        "none",
        "lifetime",
        "inactivity",
        "period_end",
        "function-after",
    }
)
