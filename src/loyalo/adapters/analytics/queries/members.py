"""Non-members' sales (members' are the members' activity); each member's spend before and
after joining."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from loyalo.adapters.analytics.queries.literals import (
    members_scope,
    optional,
    sale_conditions,
    within,
)


def render_non_members(p: Mapping[str, object]) -> str:
    """Non-members' orders and revenue; the members' side is the members' activity (``kpis``:
    the same orders, revenue and active members), so it is not computed twice.

    Non-member sales have no channel and no member: a channel filter matches none of them,
    the tier and flag filters apply to members only. A non-member order is a receipt: its
    lines grouped by store and receipt number."""
    start, end = p["start"], p["end"]
    store = optional(p, "store")
    non_member = "1 = 0" if p.get("channel") is not None else "1 = 1"
    if store is not None:
        non_member += f" AND s.store_id = {store}"
    return f"""
WITH receipts AS (
  SELECT s.store_id, s.receipt_id, SUM(s.quantity * s.unit_price_minor) AS value_minor
  FROM non_member_sales s
  WHERE s.quantity > 0 AND {within("s.occurred_at", start, end)} AND {non_member}
  GROUP BY s.store_id, s.receipt_id
)
SELECT COUNT(*) AS non_member_orders, COALESCE(SUM(value_minor), 0) AS non_member_revenue_minor
FROM receipts
"""


def render_joining(p: Mapping[str, object]) -> str:
    """Members who joined in the period: what they spent in the ``window_days`` before
    joining (history imported for them, dated earlier) and in the ``window_days`` after.
    Only purchases that can fall in some member's window are read."""
    start, end = p["start"], p["end"]
    days = int(str(p["window_days"]))
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        raise TypeError("the period's start and end must be datetimes")
    window = timedelta(days=days)
    return f"""
WITH m AS ({members_scope(p)}),
joined AS (SELECT member_id, created_at FROM m WHERE {within("created_at", start, end)}),
p AS (
  SELECT p.member_id, p.occurred_at, p.paid_minor FROM purchases p
  WHERE {sale_conditions(p, "p")} AND {within("p.occurred_at", start - window, end + window)}
)
SELECT j.member_id, j.created_at AS joined_at,
  COALESCE(SUM(CASE WHEN p.occurred_at < j.created_at
    AND p.occurred_at >= j.created_at - INTERVAL '{days}' DAY THEN 1 ELSE 0 END), 0)
    AS orders_before,
  COALESCE(SUM(CASE WHEN p.occurred_at < j.created_at
    AND p.occurred_at >= j.created_at - INTERVAL '{days}' DAY THEN p.paid_minor ELSE 0 END), 0)
    AS spend_before_minor,
  COALESCE(SUM(CASE WHEN p.occurred_at >= j.created_at
    AND p.occurred_at < j.created_at + INTERVAL '{days}' DAY THEN 1 ELSE 0 END), 0)
    AS orders_after,
  COALESCE(SUM(CASE WHEN p.occurred_at >= j.created_at
    AND p.occurred_at < j.created_at + INTERVAL '{days}' DAY THEN p.paid_minor ELSE 0 END), 0)
    AS spend_after_minor
FROM joined j LEFT JOIN p ON p.member_id = j.member_id
GROUP BY j.member_id, j.created_at
ORDER BY j.member_id
"""
