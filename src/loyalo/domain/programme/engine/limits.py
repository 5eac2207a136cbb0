"""Per-member limits: which bucket a use of a rule counts against."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.engine.compiled import CompiledRule

# (rule id, bucket) -> times used so far; rule id -> points its budget has left
UsageCount = Callable[[str, str], int]
BudgetLeft = Callable[[str], int | None]


def period_key(period: Period, local: datetime) -> str:
    match period:
        case Period.DAY:
            return local.date().isoformat()
        case Period.WEEK:
            year, week, _ = local.isocalendar()
            return f"{year}-W{week:02d}"
        case Period.MONTH:
            return f"{local.year}-{local.month:02d}"
        case Period.QUARTER:
            return f"{local.year}-Q{(local.month - 1) // 3 + 1}"
        case Period.YEAR:
            return str(local.year)
        case Period.EVER:
            return "ever"


def bucket_of(rule: CompiledRule, local: datetime, scope: Mapping[str, object]) -> str | None:
    """The bucket a use counts against, or None when the rule has no per-member limit."""
    limit = rule.limit
    if limit is None:
        return None
    bucket = period_key(limit.per, local)
    if rule.limit_key is not None:
        try:
            value = rule.limit_key(scope)
        except Exception:  # a key that cannot be computed counts as its own value
            value = None
        bucket = f"{bucket}|{value}"
    return bucket


def within_limit(rule: CompiledRule, bucket: str | None, usage: UsageCount) -> bool:
    limit = rule.limit
    if limit is None or bucket is None:
        return True
    return usage(rule.id, bucket) < limit.times
