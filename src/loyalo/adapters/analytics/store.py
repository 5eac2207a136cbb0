"""The analytics store: DuckDB embedded, in memory, with one view per table over its Parquet.

Each call opens its own in-memory connection (DuckDB connections are not shared
across threads) and names the files the manifest lists (``parquet.py``), so a
query never sees half an export. A table never exported is an empty table of
its schema, so every query runs from the first day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
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
        return self._fetch(sql, whole=False)

    def run(self, name: str, parameters: Mapping[str, object]) -> list[Row]:
        """A named KPI query (``queries.QUERIES``), its integers as Python ints."""
        return self._fetch(render(name, parameters), whole=True)

    def _fetch(self, sql: str, whole: bool) -> list[Row]:
        with self.connection() as connection:
            cursor = connection.execute(sql)
            columns = cursor.description or []
            found = cursor.fetchall()
        names = [column[0] for column in columns]
        rows = [dict(zip(names, values, strict=True)) for values in found]
        # DuckDB hands a HUGEINT sum back as an int, a DECIMAL as a Decimal; Spark gives int.
        # Only decimal columns need looking at, not every value of a long answer.
        decimals = [column[0] for column in columns if str(column[1]).startswith("DECIMAL")]
        if whole and decimals:
            for row in rows:
                for name in decimals:
                    row[name] = _whole(row[name])
        return rows

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""


def _whole(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value
