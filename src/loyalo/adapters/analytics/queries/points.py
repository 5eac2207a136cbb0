"""Points in a period: issued, taken back, redeemed, expired, adjusted; outstanding at its end."""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    in_scope,
    members_scope,
    sale_conditions,
    timestamp,
    within,
)

MEMBER_ACCOUNTS = "('wallet', 'pending', 'held', 'debt')"


def _postings(p: Mapping[str, object]) -> str:
    return f"""m AS ({members_scope(p)}),
e AS (
  SELECT x.* FROM postings x {in_scope(p, "x")}
  WHERE {sale_conditions(p, "x")}
)"""


def render(p: Mapping[str, object]) -> str:
    period = within("occurred_at", p["start"], p["end"])

    def total(condition: str, sign: str = "") -> str:
        return f"COALESCE(SUM(CASE WHEN {period} AND {condition} THEN {sign}points ELSE 0 END), 0)"

    return f"""
WITH {_postings(p)}
SELECT
  {total("kind = 'earn' AND account = 'issuance'", "-")} AS issued,
  {total("kind = 'return' AND account = 'issuance'")} AS taken_back,
  {total("account = 'redemption'")} AS redeemed,
  {total("account = 'breakage'")} AS expired,
  {total("account = 'adjustment'", "-")} AS adjusted,
  COALESCE(SUM(CASE WHEN occurred_at < {timestamp(p["end"])}
    AND account IN {MEMBER_ACCOUNTS} THEN points ELSE 0 END), 0) AS outstanding
FROM e
"""


def render_redeemers(p: Mapping[str, object]) -> str:
    """Who redeemed in the period, and who could have: a positive wallet at its start, or
    points reaching the wallet during it."""
    start, end = p["start"], p["end"]
    return f"""
WITH {_postings(p)},
opening AS (
  SELECT member_id FROM e
  WHERE account = 'wallet' AND occurred_at < {timestamp(start)}
  GROUP BY member_id HAVING SUM(points) > 0
),
credited AS (
  SELECT DISTINCT member_id FROM e
  WHERE account = 'wallet' AND points > 0 AND {within("occurred_at", start, end)}
),
able AS (SELECT member_id FROM opening UNION SELECT member_id FROM credited),
redeemed AS (
  SELECT DISTINCT member_id FROM e
  WHERE kind IN ('commit', 'redeem') AND account = 'redemption' AND points > 0
    AND {within("occurred_at", start, end)}
)
SELECT a.members_able, r.members_redeeming
FROM (SELECT COUNT(*) AS members_able FROM able) a
CROSS JOIN (SELECT COUNT(*) AS members_redeeming FROM redeemed) r
"""
