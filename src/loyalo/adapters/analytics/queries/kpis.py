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
    """One pass over the purchases before the period's end: each member's orders and revenue
    in the period, whether they bought in the previous one (both with the channel and store
    filters), and whether they bought at all (any channel or store: a member is known by then)."""
    start, end, previous = p["start"], p["end"], p["previous_start"]
    sale = sale_conditions(p, "p")
    in_period = f"{sale} AND {within('p.occurred_at', start, end)}"
    events_channel = "1 = 1"
    if p.get("store") is not None:
        events_channel = "1 = 0"  # events have no store: a store filter counts purchases only
    elif p.get("channel") is not None:
        events_channel = sale_conditions({"channel": p["channel"]}, "e")
    return f"""
WITH m AS ({members_scope(p)}),
each AS (
  SELECT p.member_id,
    SUM(CASE WHEN {in_period} THEN 1 ELSE 0 END) AS orders,
    SUM(CASE WHEN {in_period} THEN p.paid_minor ELSE 0 END) AS revenue,
    MAX(CASE WHEN {sale} AND {within("p.occurred_at", previous, start)} THEN 1 ELSE 0 END)
      AS before
  FROM purchases p {in_scope(p, "p")}
  WHERE p.occurred_at < {timestamp(end)}
  GROUP BY p.member_id
),
cur AS (SELECT member_id, orders, revenue, before FROM each WHERE orders > 0),
ev AS (
  SELECT DISTINCT e.member_id FROM events e {in_scope(p, "e")}
  WHERE {within("e.occurred_at", start, end)} AND {events_channel}
),
engaged AS (SELECT member_id FROM cur UNION SELECT member_id FROM ev),
known AS (
  SELECT m.member_id, m.created_at FROM m LEFT JOIN each k ON k.member_id = m.member_id
  WHERE m.created_at < {timestamp(end)} OR k.member_id IS NOT NULL
),
ret AS (
  SELECT r.value_minor FROM returns r {in_scope(p, "r")}
  WHERE {within("r.occurred_at", start, end)} AND {sale_conditions(p, "r")}
)
SELECT
  a.members_total, a.members_new, b.active_members, b.repeat_members, b.orders,
  b.revenue_minor, c.active_members_previous, b.retained_members, e.engaged_members,
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
    COALESCE(SUM(orders), 0) AS orders, COALESCE(SUM(revenue), 0) AS revenue_minor,
    COALESCE(SUM(before), 0) AS retained_members
  FROM cur
) b
CROSS JOIN (SELECT COUNT(*) AS active_members_previous FROM each WHERE before = 1) c
CROSS JOIN (SELECT COUNT(*) AS engaged_members FROM engaged) e
CROSS JOIN (
  SELECT COUNT(*) AS returns, COALESCE(SUM(value_minor), 0) AS returns_minor FROM ret
) f
"""
