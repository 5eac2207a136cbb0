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
    points reaching the wallet during it. One pass: each member's postings grouped once."""
    start, end = p["start"], p["end"]
    period = within("x.occurred_at", start, end)
    return f"""
WITH m AS ({members_scope(p)}),
each AS (
  SELECT x.member_id,
    SUM(CASE WHEN x.account = 'wallet' AND x.occurred_at < {timestamp(start)}
      THEN x.points ELSE 0 END) AS opening,
    MAX(CASE WHEN x.account = 'wallet' AND x.points > 0 AND {period}
      THEN 1 ELSE 0 END) AS credited,
    MAX(CASE WHEN x.kind IN ('commit', 'redeem') AND x.account = 'redemption' AND x.points > 0
      AND {period} THEN 1 ELSE 0 END) AS redeemed
  FROM postings x {in_scope(p, "x")}
  WHERE x.account IN ('wallet', 'redemption') AND {sale_conditions(p, "x")}
  GROUP BY x.member_id
)
SELECT
  COALESCE(SUM(CASE WHEN opening > 0 OR credited = 1 THEN 1 ELSE 0 END), 0) AS members_able,
  COALESCE(SUM(redeemed), 0) AS members_redeeming
FROM each
"""
