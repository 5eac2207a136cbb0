"""The analytics engines' values as the domain takes them.

DuckDB and Spark hand a ``DATE`` back as a ``date`` or as a midnight ``datetime``, and
the store's times are UTC without a zone; these read either the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"{value!r} is not a date")
    return value


def utc(value: object) -> datetime:
    """A time of the store, made aware (UTC)."""
    if not isinstance(value, datetime):
        raise TypeError(f"{value!r} is not a time")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
