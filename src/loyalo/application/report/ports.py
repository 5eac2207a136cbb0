"""What the report needs: the analytics engine, fresh (never the transactional tables).

The engine is the analytics store's (``application/analytics/ports.py``): DuckDB
over the Parquet export, or Spark over the same files; the report's queries are
named there (``cohort_sizes``, ``cohort_activity``, ``rfm``, ``points_by_month``)
beside the KPIs it also reads (``kpis``).
"""

from __future__ import annotations

from collections.abc import Callable

from loyalo.application.analytics.ports import AnalyticsQueries

FreshAnalytics = Callable[[], AnalyticsQueries]
"""Brings the analytics store up to date (an incremental export), then hands its engine."""
