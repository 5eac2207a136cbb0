"""The analytics store: Parquet files written by the export, queried with DuckDB or Spark."""
