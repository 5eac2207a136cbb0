"""The same KPI queries on Apache Spark: the export's Parquet files as temporary views.

For data that outgrows one machine: ``LOYALO_ANALYTICS_ENGINE=spark`` with
``LOYALO_SPARK_MASTER`` naming the cluster and ``LOYALO_ANALYTICS_DIR`` on storage
every executor reads (the export writes there). The SQL is the one DuckDB runs
(``queries/``). A table never exported is read from an empty file of its schema,
as in DuckDB. The session starts at the first query, not at start-up: a server
that never asks for a KPI never pays for a JVM.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pyspark.sql import SparkSession

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.queries import render
from loyalo.adapters.analytics.schema import SCHEMAS
from loyalo.application.analytics.ports import TABLES, Row


def local_session(app_name: str = "loyalo-analytics") -> SparkSession:
    """One local core, no UI, UTC: what the tests and a laptop use."""
    return session_at("local[1]", app_name)


def session_at(master: str, app_name: str = "loyalo-analytics") -> SparkSession:
    """A session on ``master`` (``local[*]``, ``spark://host:7077``, …), in UTC, without UI."""
    builder: SparkSession.Builder = SparkSession.builder
    return (
        builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # a server's log is not a terminal
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1" if master.startswith("local") else "200")
        .getOrCreate()
    )


class SparkQueries:
    """``AnalyticsQueries`` on a SparkSession.

    Each query first checks the manifest: after an export (or another process's) the
    views are registered again over the files it lists, so a query never mixes two
    exports. Queries run one at a time (the views are the session's, shared).
    """

    def __init__(
        self, session: SparkSession | Callable[[], SparkSession], warehouse: ParquetWarehouse
    ) -> None:
        """``session``: one to use (the caller stops it), or how to start one at the first
        query (``close`` stops it)."""
        if isinstance(session, SparkSession):
            given = session
            self._start: Callable[[], SparkSession] = lambda: given
        else:
            self._start = session
        self._owns = not isinstance(session, SparkSession)
        self._session: SparkSession | None = None
        self._warehouse = warehouse
        self._empty = Path(tempfile.mkdtemp(prefix="loyalo-spark-empty-"))
        self._lock = threading.Lock()
        self._seen: Any = None

    def rows(self, sql: str) -> list[Row]:
        with self._lock:
            session = self._current()
            return [row.asDict() for row in session.sql(sql).collect()]

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]:
        return self.rows(render(name, parameters))

    def close(self) -> None:
        """Stop the session if this object started it."""
        with self._lock:
            if self._session is not None and self._owns:
                self._session.stop()
            self._session = None

    def _current(self) -> SparkSession:
        manifest = self._warehouse.manifest()
        if self._session is None:
            self._session, self._seen = self._start(), None
        if manifest != self._seen:
            self._register(self._session, manifest)
        return self._session

    def _register(self, session: SparkSession, manifest: dict[str, Any]) -> None:
        for table in TABLES:
            files = [str(path) for path in self._warehouse.files(table, manifest)]
            if not files:
                empty = self._empty / f"{table}.parquet"
                pq.write_table(SCHEMAS[table].empty_table(), empty)
                files = [str(empty)]
            session.read.parquet(*files).createOrReplaceTempView(table)
        self._seen = manifest
