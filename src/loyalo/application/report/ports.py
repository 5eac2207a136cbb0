"""What the report needs: the analytics engine and a way to bring it up to date.

The engine is the analytics store's port (``application/analytics/ports.py``,
``AnalyticsQueries``): DuckDB over the Parquet export, or Spark over the same
files; the report's queries are named there (``cohort_activity``, ``rfm``,
``points_by_month``) beside the KPIs it also reads (``kpis``). It never reads the
transactional tables; the lifetime values it charts come from the CLV models
(``application/analytics/clv.py``), handed over as a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

Export = Callable[[], object]
"""Brings the analytics store up to date: the incremental export (``AnalyticsService.export``)."""

LifetimeValues = Callable[[], Sequence[tuple[str, int]]]
"""Each member's discounted lifetime value in minor units (``ClvService.values``); raises
``ModelNotEstimable`` when the history cannot fit the models."""

ObservedUntil = Callable[[], datetime | None]
"""When the analytics store was last exported (``AnalyticsService.freshness``): a window
after joining counts once it has ended by then."""
