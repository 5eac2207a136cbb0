"""What the report needs: the analytics engine and a way to bring it up to date.

The engine is the analytics store's port (``application/analytics/ports.py``,
``AnalyticsQueries``): DuckDB over the Parquet export, or Spark over the same
files; the report's queries are named there (``cohort_sizes``,
``cohort_activity``, ``rfm``, ``points_by_month``) beside the KPIs it also reads
(``kpis``). It never reads the transactional tables.
"""

from __future__ import annotations

from collections.abc import Callable

Export = Callable[[], object]
"""Brings the analytics store up to date: the incremental export (``AnalyticsService.export``)."""
