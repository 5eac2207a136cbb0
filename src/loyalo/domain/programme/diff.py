"""A readable difference between two programme documents.

Rules and tiers are matched by id, not by position, so reordering them is not a
change and a changed rule reads as ``~ rules[coffee-x3].effect.factor: 2 -> 3``;
a rule or tier that came or went reads as ``+ rule weekend-x2 (Double points at
weekends)`` or ``- tier platinum``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from loyalo.domain.programme.document import ProgrammeDocument

# Lists whose items are matched by id, and how one item is named in a rendered line.
_KEYED_LISTS = {
    "rules": "rule",
    "tiers.levels": "tier",
    "memberships": "plan",
    "challenges": "challenge",
    "badges": "badge",
    "rewards": "reward",
}
_SHORT = 80


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    before: Any  # None when added
    after: Any  # None when removed
    kind: ChangeKind

    def render(self) -> str:
        sign = {ChangeKind.ADDED: "+", ChangeKind.REMOVED: "-", ChangeKind.CHANGED: "~"}[self.kind]
        item = self.after if self.kind is ChangeKind.ADDED else self.before
        named = _named_item(self.path, item)
        if named is not None:
            return f"{sign} {named}"
        if self.kind is ChangeKind.CHANGED:
            return f"~ {self.path}: {_short(self.before)} -> {_short(self.after)}"
        return f"{sign} {self.path}: {_short(item)}"


def diff_documents(old: ProgrammeDocument, new: ProgrammeDocument) -> list[Change]:
    before = old.model_dump(mode="json", by_alias=True)
    after = new.model_dump(mode="json", by_alias=True)
    return _diff(before, after, "")


def render(changes: list[Change]) -> list[str]:
    return [change.render() for change in changes] or ["(no changes)"]


def _diff(before: Any, after: Any, path: str) -> list[Change]:
    if isinstance(before, dict) and isinstance(after, dict):
        return _diff_mapping(before, after, path)
    if path in _KEYED_LISTS and _all_have_ids(before) and _all_have_ids(after):
        return _diff_keyed(before, after, path)
    if before != after:
        return [Change(path, before, after, ChangeKind.CHANGED)]
    return []


def _diff_mapping(before: dict[str, Any], after: dict[str, Any], path: str) -> list[Change]:
    changes: list[Change] = []
    for key in [*before, *(k for k in after if k not in before)]:
        child = f"{path}.{key}" if path else key
        old, new = before.get(key), after.get(key)
        if old is None and isinstance(new, dict):
            changes += _section(child, new, ChangeKind.ADDED)
        elif new is None and isinstance(old, dict):
            changes += _section(child, old, ChangeKind.REMOVED)
        elif key not in after:
            changes.append(Change(child, old, None, ChangeKind.REMOVED))
        elif key not in before:
            changes.append(Change(child, None, new, ChangeKind.ADDED))
        else:
            changes += _diff(old, new, child)
    return changes


def _section(path: str, value: dict[str, Any], kind: ChangeKind) -> list[Change]:
    """A section that came or went (``tiers``): its settings, then one line per rule or tier."""
    came = kind is ChangeKind.ADDED
    settings = {k: v for k, v in value.items() if f"{path}.{k}" not in _KEYED_LISTS}
    changes = [Change(path, None if came else settings, settings if came else None, kind)]
    for key, items in value.items():
        child = f"{path}.{key}"
        if child in _KEYED_LISTS:
            changes += _diff_keyed([] if came else items, items if came else [], child)
    return changes


def _diff_keyed(before: list[Any], after: list[Any], path: str) -> list[Change]:
    old = {item["id"]: item for item in before}
    new = {item["id"]: item for item in after}
    changes: list[Change] = []
    for ident, item in old.items():
        child = f"{path}[{ident}]"
        if ident in new:
            changes += _diff(item, new[ident], child)
        else:
            changes.append(Change(child, item, None, ChangeKind.REMOVED))
    for ident, item in new.items():
        if ident not in old:
            changes.append(Change(f"{path}[{ident}]", None, item, ChangeKind.ADDED))
    return changes


def _all_have_ids(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, dict) and "id" in i for i in items)


def _named_item(path: str, item: Any) -> str | None:
    """``rule weekend-x2 (Double points at weekends)`` for a whole rule or tier."""
    head, _, rest = path.partition("[")
    if head not in _KEYED_LISTS or not rest.endswith("]") or not isinstance(item, dict):
        return None
    ident = rest[:-1]
    name = str(item.get("name") or "")
    label = f"{_KEYED_LISTS[head]} {ident}"
    return label if not name or name.casefold() == ident.casefold() else f"{label} ({name})"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    text = "null" if value is None else text
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."
