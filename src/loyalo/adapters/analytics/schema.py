"""The columns of every analytics table, as Arrow schemas: the store's contract.

Times are UTC without a zone (``timestamp[us]``), money is integer minor units,
points are integers; ``members.flags`` is ``|a|b|`` (empty: none), so a filter
is an ``INSTR(flags, '|vip|')`` that DuckDB and Spark read alike.
"""

from __future__ import annotations

import pyarrow as pa

TIME = pa.timestamp("us")

SCHEMAS: dict[str, pa.Schema] = {
    "purchases": pa.schema(
        [
            ("purchase_id", pa.string()),
            ("member_id", pa.string()),
            ("store_id", pa.string()),
            ("receipt_id", pa.string()),
            ("channel", pa.string()),
            ("occurred_at", TIME),
            ("currency", pa.string()),
            ("total_minor", pa.int64()),
            ("discount_minor", pa.int64()),
            ("paid_minor", pa.int64()),
            ("points_earned", pa.int64()),
        ]
    ),
    "purchase_lines": pa.schema(
        [
            ("purchase_id", pa.string()),
            ("line_no", pa.int64()),
            ("sku", pa.string()),
            ("name", pa.string()),
            ("category", pa.string()),
            ("quantity", pa.int64()),
            ("unit_price_minor", pa.int64()),
            ("discount_minor", pa.int64()),
        ]
    ),
    "returns": pa.schema(
        [
            ("return_id", pa.string()),
            ("purchase_id", pa.string()),
            ("member_id", pa.string()),
            ("store_id", pa.string()),
            ("channel", pa.string()),
            ("occurred_at", TIME),
            ("currency", pa.string()),
            ("value_minor", pa.int64()),
            ("points_taken", pa.int64()),
            ("debt_points", pa.int64()),
        ]
    ),
    "return_lines": pa.schema(
        [
            ("return_id", pa.string()),
            ("purchase_id", pa.string()),
            ("line_no", pa.int64()),
            ("quantity", pa.int64()),
        ]
    ),
    "events": pa.schema(
        [
            ("event_id", pa.string()),
            ("member_id", pa.string()),
            ("name", pa.string()),
            ("channel", pa.string()),
            ("occurred_at", TIME),
            ("recorded_at", TIME),
            ("points", pa.int64()),
        ]
    ),
    "postings": pa.schema(
        [
            ("posting_id", pa.int64()),
            ("entry_id", pa.string()),
            ("member_id", pa.string()),
            ("seq", pa.int64()),
            ("account", pa.string()),
            ("points", pa.int64()),
            ("kind", pa.string()),
            ("channel", pa.string()),
            ("store_id", pa.string()),
            ("source_type", pa.string()),
            ("source_id", pa.string()),
            ("rule_id", pa.string()),
            ("programme_version", pa.int64()),
            ("occurred_at", TIME),
            ("recorded_at", TIME),
        ]
    ),
    "members": pa.schema(
        [
            ("member_id", pa.string()),
            ("created_at", TIME),
            ("tier_id", pa.string()),
            ("flags", pa.string()),
        ]
    ),
    "non_member_sales": pa.schema(
        [
            ("sale_key", pa.string()),
            ("run_id", pa.string()),
            ("line_no", pa.int64()),
            ("store_id", pa.string()),
            ("receipt_id", pa.string()),
            ("occurred_at", TIME),
            ("sku", pa.string()),
            ("quantity", pa.int64()),
            ("unit_price_minor", pa.int64()),
            ("currency", pa.string()),
            ("country", pa.string()),
        ]
    ),
}

KEY_COLUMNS = {
    "purchases": "purchase_id",
    "returns": "return_id",
    "events": "event_id",
    "non_member_sales": "sale_key",
    "postings": "entry_id",  # a journal entry's postings are exported together
}
"""The column that names each exported row's key (``AnalyticsSource``)."""
