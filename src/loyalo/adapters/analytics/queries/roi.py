"""Each campaign (a rule) in a period: the points it issued and the purchases it rewarded."""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    in_scope,
    members_scope,
    sale_conditions,
    within,
)


def render(p: Mapping[str, object]) -> str:
    """A purchase counts once per rule however many of its entries the rule made: the pairs
    are made distinct before the join (a purchase is one row of ``purchases``)."""
    start, end = p["start"], p["end"]
    return f"""
WITH m AS ({members_scope(p)}),
e AS (
  SELECT x.rule_id, x.source_type, x.source_id, x.member_id, -x.points AS points
  FROM postings x {in_scope(p, "x")}
  WHERE x.kind = 'earn' AND x.account = 'issuance' AND x.rule_id IS NOT NULL
    AND {within("x.occurred_at", start, end)} AND {sale_conditions(p, "x")}
),
rewarded AS (SELECT DISTINCT rule_id, source_id FROM e WHERE source_type = 'purchase'),
issued AS (
  SELECT rule_id, SUM(points) AS points_issued, COUNT(DISTINCT member_id) AS members
  FROM e GROUP BY rule_id
),
sales AS (
  SELECT r.rule_id, COUNT(*) AS purchases, SUM(pu.paid_minor) AS revenue_minor
  FROM rewarded r JOIN purchases pu ON pu.purchase_id = r.source_id
  GROUP BY r.rule_id
)
SELECT i.rule_id, i.points_issued, i.members,
  COALESCE(s.purchases, 0) AS purchases, COALESCE(s.revenue_minor, 0) AS revenue_minor
FROM issued i LEFT JOIN sales s ON s.rule_id = i.rule_id
ORDER BY i.rule_id
"""
