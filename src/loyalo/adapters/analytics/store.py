"""The analytics store: DuckDB embedded, in memory, with one view per table over its Parquet.

Each call opens its own in-memory connection (DuckDB connections are not shared
across threads) and names the files the manifest lists (``parquet.py``), so a
query never sees half an export. A table never exported is an empty table of
its schema, so every query runs from the first day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.queries import render
from loyalo.adapters.analytics.schema import SCHEMAS
from loyalo.application.analytics.ports import TABLES, Row


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(path).replace("'", "''") + "'" for path in files) + "]"


class AnalyticsStore:
    def __init__(self, warehouse: ParquetWarehouse) -> None:
        self.warehouse = warehouse

    @classmethod
    def at(cls, root: Path) -> AnalyticsStore:
        return cls(ParquetWarehouse(root))

    @contextmanager
    def connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection with a view per table (``TABLES``), closed afterwards."""
        connection = duckdb.connect(":memory:")
        try:
            connection.execute("SET TimeZone = 'UTC'")
            manifest = self.warehouse.manifest()  # one export's files, for every table
            for table in TABLES:
                files = self.warehouse.files(table, manifest)
                if files:
                    connection.execute(
                        f"CREATE VIEW {table} AS SELECT * FROM read_parquet({_file_list(files)})"
                    )
                else:
                    connection.register(table, SCHEMAS[table].empty_table())
            yield connection
        finally:
            connection.close()

    def rows(self, sql: str) -> list[Row]:
        """Any SQL over the views, as dictionaries."""
        with self.connection() as connection:
            cursor = connection.execute(sql)
            names = [column[0] for column in cursor.description or []]
            return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]:
        """A named KPI query (``queries.QUERIES``), its integers as Python ints."""
        return [_plain(row) for row in self.rows(render(name, parameters))]

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""


def _plain(row: Row) -> Row:
    return {key: _value(value) for key, value in row.items()}


def _value(value: Any) -> Any:
    # DuckDB sums BIGINT into HUGEINT and may hand back Decimal; Spark gives int.
    if hasattr(value, "as_integer_ratio") and not isinstance(value, float | bool):
        numerator, denominator = value.as_integer_ratio()
        if denominator == 1:
            return int(numerator)
    return value
