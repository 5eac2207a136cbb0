"""An exporter and a store over a test's container, in the test's own directory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import ExportReport
from loyalo.bootstrap.container import Container
from tests.support.clock import FakeClock


def export(
    container: Container, root: Path, warehouse: ParquetWarehouse | None = None
) -> ExportReport:
    """Export what is new, once the clock has moved past every row recorded so far."""
    clock = container.ctx.clock
    assert isinstance(clock, FakeClock)
    clock.advance(timedelta(seconds=1))
    exporter = AnalyticsExporter(container.ctx, warehouse or ParquetWarehouse(root))
    return exporter.run()


def store(root: Path) -> AnalyticsStore:
    return AnalyticsStore.at(root)
