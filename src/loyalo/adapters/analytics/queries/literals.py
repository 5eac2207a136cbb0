"""Typed SQL literals and the filtered scopes every KPI query starts from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

_SAFE = re.compile(r"[\w .:@|-]{1,130}")


def timestamp(value: object) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"a timestamp parameter must be a datetime, not {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return f"TIMESTAMP '{value:%Y-%m-%d %H:%M:%S.%f}'"


def text(value: object) -> str:
    """A string literal; refuses anything that could end it (checked again here, not trusted)."""
    if not isinstance(value, str) or not _SAFE.fullmatch(value):
        raise ValueError(f"unsafe text parameter {value!r}")
    return f"'{value}'"


def optional(parameters: Mapping[str, object], name: str) -> str | None:
    value = parameters.get(name)
    return None if value is None else text(value)


def members_scope(parameters: Mapping[str, object]) -> str:
    """The members the tier and flag filters keep (their tier at the export)."""
    conditions = ["1 = 1"]
    tier = optional(parameters, "tier")
    if tier is not None:
        conditions.append(f"tier_id = {tier}")
    flag = parameters.get("flag")
    if flag is not None:
        conditions.append(f"INSTR(flags, {text('|' + str(flag) + '|')}) > 0")
    return f"SELECT member_id, created_at FROM members WHERE {' AND '.join(conditions)}"


def in_scope(parameters: Mapping[str, object], alias: str) -> str:
    """The join that keeps ``alias``'s rows to members in scope; none without a member filter
    (every row has its member in ``members``, rewritten whole by each export)."""
    if parameters.get("tier") is None and parameters.get("flag") is None:
        return ""
    return f"JOIN m ON {alias}.member_id = m.member_id"


def sale_conditions(parameters: Mapping[str, object], alias: str) -> str:
    """The channel and store filters on a row that has them (a purchase, a posting)."""
    conditions = ["1 = 1"]
    channel = optional(parameters, "channel")
    if channel is not None:
        conditions.append(f"{alias}.channel = {channel}")
    store = optional(parameters, "store")
    if store is not None:
        conditions.append(f"{alias}.store_id = {store}")
    return " AND ".join(conditions)


def within(column: str, start: object, end: object) -> str:
    return f"{column} >= {timestamp(start)} AND {column} < {timestamp(end)}"
