"""Members against non-members; each member's spend before and after joining."""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    in_scope,
    members_scope,
    optional,
    sale_conditions,
    within,
)


def render(p: Mapping[str, object]) -> str:
    """Non-member sales have no channel and no member: a channel filter matches none of them,
    the tier and flag filters apply to members only."""
    start, end = p["start"], p["end"]
    store = optional(p, "store")
    non_member = "1 = 0" if p.get("channel") is not None else "1 = 1"
    if store is not None:
        non_member += f" AND s.store_id = {store}"
    return f"""
WITH m AS ({members_scope(p)}),
mp AS (
  SELECT p.member_id, p.paid_minor FROM purchases p {in_scope(p, "p")}
  WHERE {within("p.occurred_at", start, end)} AND {sale_conditions(p, "p")}
),
ns AS (
  SELECT s.store_id, s.receipt_id, s.quantity * s.unit_price_minor AS value_minor
  FROM non_member_sales s
  WHERE s.quantity > 0 AND {within("s.occurred_at", start, end)} AND {non_member}
)
SELECT a.member_orders, a.member_revenue_minor, a.members_buying,
  b.non_member_orders, b.non_member_revenue_minor
FROM (
  SELECT COUNT(*) AS member_orders, COALESCE(SUM(paid_minor), 0) AS member_revenue_minor,
    COUNT(DISTINCT member_id) AS members_buying
  FROM mp
) a
CROSS JOIN (
  SELECT COUNT(DISTINCT CONCAT(store_id, '/', receipt_id)) AS non_member_orders,
    COALESCE(SUM(value_minor), 0) AS non_member_revenue_minor
  FROM ns
) b
"""


def render_joining(p: Mapping[str, object]) -> str:
    """Members who joined in the period: what they spent in the ``window_days`` before
    joining (history imported for them, dated earlier) and in the ``window_days`` after."""
    start, end = p["start"], p["end"]
    days = int(str(p["window_days"]))
    return f"""
WITH m AS ({members_scope(p)}),
joined AS (SELECT member_id, created_at FROM m WHERE {within("created_at", start, end)}),
p AS (
  SELECT p.member_id, p.occurred_at, p.paid_minor FROM purchases p
  WHERE {sale_conditions(p, "p")}
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
