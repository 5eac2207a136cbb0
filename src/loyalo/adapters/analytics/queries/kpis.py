"""Members' activity in a period: active, retained, repeat, orders, revenue, returns, engaged."""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    in_scope,
    members_scope,
    sale_conditions,
    timestamp,
    within,
)


def render(p: Mapping[str, object]) -> str:
    start, end, previous = p["start"], p["end"], p["previous_start"]
    events_channel = "1 = 1"
    if p.get("store") is not None:
        events_channel = "1 = 0"  # events have no store: a store filter counts purchases only
    elif p.get("channel") is not None:
        events_channel = sale_conditions({"channel": p["channel"]}, "e")
    return f"""
WITH m AS ({members_scope(p)}),
p AS (
  SELECT p.purchase_id, p.member_id, p.occurred_at, p.paid_minor
  FROM purchases p {in_scope(p, "p")}
  WHERE {sale_conditions(p, "p")}
),
cur AS (
  SELECT member_id, COUNT(*) AS orders, SUM(paid_minor) AS revenue
  FROM p WHERE {within("occurred_at", start, end)} GROUP BY member_id
),
prev AS (
  SELECT DISTINCT member_id FROM p WHERE {within("occurred_at", previous, start)}
),
ev AS (
  SELECT DISTINCT e.member_id FROM events e {in_scope(p, "e")}
  WHERE {within("e.occurred_at", start, end)} AND {events_channel}
),
engaged AS (SELECT member_id FROM cur UNION SELECT member_id FROM ev),
known AS (
  SELECT member_id, created_at FROM m WHERE created_at < {timestamp(end)}
  UNION
  SELECT m.member_id, m.created_at FROM purchases k JOIN m ON k.member_id = m.member_id
  WHERE k.occurred_at < {timestamp(end)}
),
ret AS (
  SELECT r.value_minor FROM returns r {in_scope(p, "r")}
  WHERE {within("r.occurred_at", start, end)} AND {sale_conditions(p, "r")}
)
SELECT
  a.members_total, a.members_new, b.active_members, b.repeat_members, b.orders,
  b.revenue_minor, c.active_members_previous, d.retained_members, e.engaged_members,
  f.returns, f.returns_minor
FROM (
  SELECT COUNT(*) AS members_total,
    COALESCE(SUM(CASE WHEN created_at >= {timestamp(start)}
      AND created_at < {timestamp(end)} THEN 1 ELSE 0 END), 0) AS members_new
  FROM known
) a
CROSS JOIN (
  SELECT COUNT(*) AS active_members,
    COALESCE(SUM(CASE WHEN orders >= 2 THEN 1 ELSE 0 END), 0) AS repeat_members,
    COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(revenue), 0) AS revenue_minor
  FROM cur
) b
CROSS JOIN (SELECT COUNT(*) AS active_members_previous FROM prev) c
CROSS JOIN (
  SELECT COUNT(*) AS retained_members FROM cur JOIN prev ON cur.member_id = prev.member_id
) d
CROSS JOIN (SELECT COUNT(*) AS engaged_members FROM engaged) e
CROSS JOIN (
  SELECT COUNT(*) AS returns, COALESCE(SUM(value_minor), 0) AS returns_minor FROM ret
) f
"""
