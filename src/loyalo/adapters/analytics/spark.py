"""The same KPI queries on Apache Spark: the export's Parquet files as temporary views.

For data that outgrows one machine: point the session at a cluster and the
files at shared storage; the SQL is the one DuckDB runs (``queries/``). A table
never exported is read from an empty file of its schema, as in DuckDB.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import pyarrow.parquet as pq
from pyspark.sql import SparkSession

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.queries import render
from loyalo.adapters.analytics.schema import SCHEMAS
from loyalo.application.analytics.ports import TABLES, Row


def local_session(app_name: str = "loyalo-analytics") -> SparkSession:
    """One local core, no UI, UTC: what the tests and a laptop use."""
    builder: SparkSession.Builder = SparkSession.builder
    return (
        builder.master("local[1]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )


class SparkQueries:
    """``AnalyticsQueries`` on a SparkSession; ``refresh`` after an export."""

    def __init__(self, session: SparkSession, warehouse: ParquetWarehouse) -> None:
        self._session = session
        self._warehouse = warehouse
        self._empty = Path(tempfile.mkdtemp(prefix="loyalo-spark-empty-"))
        self.refresh()

    def refresh(self) -> None:
        manifest = self._warehouse.manifest()
        for table in TABLES:
            files = [str(path) for path in self._warehouse.files(table, manifest)]
            if not files:
                empty = self._empty / f"{table}.parquet"
                pq.write_table(SCHEMAS[table].empty_table(), empty)
                files = [str(empty)]
            self._session.read.parquet(*files).createOrReplaceTempView(table)

    def rows(self, sql: str) -> list[Row]:
        return [row.asDict() for row in self._session.sql(sql).collect()]

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]:
        return self.rows(render(name, parameters))
