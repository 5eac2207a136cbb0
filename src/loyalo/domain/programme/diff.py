"""A readable difference between two programme documents.

Rules and tiers are matched by id, not by position, so reordering them is not a
change and a changed rule reads as ``rules[coffee-x3].effect.factor: 2 -> 3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from loyalo.domain.programme.document import ProgrammeDocument

_KEYED_LISTS = {"rules": "id", "levels": "id"}


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    kind: ChangeKind
    before: Any = None
    after: Any = None

    def render(self) -> str:
        if self.kind is ChangeKind.ADDED:
            return f"+ {self.path}: {_short(self.after)}"
        if self.kind is ChangeKind.REMOVED:
            return f"- {self.path}: {_short(self.before)}"
        return f"~ {self.path}: {_short(self.before)} -> {_short(self.after)}"


def diff_documents(old: ProgrammeDocument, new: ProgrammeDocument) -> list[Change]:
    before = old.model_dump(mode="json", by_alias=True)
    after = new.model_dump(mode="json", by_alias=True)
    return list(_diff(before, after, ""))


def render(changes: list[Change]) -> list[str]:
    return [change.render() for change in changes] or ["(no changes)"]


def _diff(before: Any, after: Any, path: str) -> list[Change]:
    if isinstance(before, dict) and isinstance(after, dict):
        changes: list[Change] = []
        for key in [*before, *(k for k in after if k not in before)]:
            child = f"{path}.{key}" if path else key
            if key not in after:
                changes.append(Change(child, ChangeKind.REMOVED, before[key]))
            elif key not in before:
                changes.append(Change(child, ChangeKind.ADDED, after=after[key]))
            elif key in _KEYED_LISTS and isinstance(before[key], list):
                changes += _diff_keyed(before[key], after[key], child, _KEYED_LISTS[key])
            else:
                changes += _diff(before[key], after[key], child)
        return changes
    if before != after:
        return [Change(path, ChangeKind.CHANGED, before, after)]
    return []


def _diff_keyed(before: list[Any], after: list[Any], path: str, key: str) -> list[Change]:
    old = {item[key]: item for item in before}
    new = {item[key]: item for item in after}
    changes: list[Change] = []
    for ident, item in old.items():
        if ident not in new:
            changes.append(Change(f"{path}[{ident}]", ChangeKind.REMOVED, item.get("name", ident)))
        else:
            changes += _diff(item, new[ident], f"{path}[{ident}]")
    for ident, item in new.items():
        if ident not in old:
            changes.append(
                Change(f"{path}[{ident}]", ChangeKind.ADDED, after=item.get("name", ident))
            )
    return changes


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
