"""History files on disk: CSV, plain or gzip-compressed, read as a stream."""

from loyalo.adapters.history_files.csv_source import CsvHistorySource, open_history

__all__ = ["CsvHistorySource", "open_history"]
