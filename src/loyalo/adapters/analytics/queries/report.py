"""Cohorts, RFM and points by month for the report, in SQL that DuckDB and Spark both read.

Besides the common subset (``__init__.py``) these use ``date_trunc('month', …)``,
``year``, ``month``, ``RANK()`` and ``COUNT(*) OVER ()``, ``FLOOR`` and ``CAST``,
which both engines share. Revenue is ``paid_minor`` (after the programme's
discounts), as in the KPIs; returns are not deducted.
"""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    members_scope,
    sale_conditions,
    timestamp,
    within,
)
from loyalo.adapters.analytics.queries.points import MEMBER_ACCOUNTS
from loyalo.domain.report.rfm import SCORES


def _purchases(p: Mapping[str, object]) -> str:
    """The filtered members' purchases (channel, store, tier, flag), of all time."""
    return f"""m AS ({members_scope(p)}),
p AS (
  SELECT p.member_id, p.occurred_at, p.paid_minor
  FROM purchases p JOIN m ON p.member_id = m.member_id
  WHERE {sale_conditions(p, "p")}
),
firsts AS (
  SELECT member_id, CAST(date_trunc('month', MIN(occurred_at)) AS DATE) AS cohort_month,
    MIN(occurred_at) AS first_at
  FROM p GROUP BY member_id
),
cohort AS (
  SELECT member_id, cohort_month FROM firsts WHERE {within("first_at", p["start"], p["end"])}
)"""


def render_cohort_sizes(p: Mapping[str, object]) -> str:
    """Members per month of first purchase, for the cohorts acquired in the period."""
    return f"""
WITH {_purchases(p)}
SELECT cohort_month, COUNT(*) AS members FROM cohort GROUP BY cohort_month
"""


def render_cohort_activity(p: Mapping[str, object]) -> str:
    """What those cohorts' members bought in each month since, up to the end of the period."""
    return f"""
WITH {_purchases(p)}
SELECT c.cohort_month,
  (year(p.occurred_at) - year(c.cohort_month)) * 12
    + month(p.occurred_at) - month(c.cohort_month) AS months_since,
  COUNT(DISTINCT p.member_id) AS active_members,
  SUM(p.paid_minor) AS revenue_minor
FROM cohort c JOIN p ON p.member_id = c.member_id
WHERE p.occurred_at < {timestamp(p["end"])}
GROUP BY c.cohort_month,
  (year(p.occurred_at) - year(c.cohort_month)) * 12 + month(p.occurred_at) - month(c.cohort_month)
"""


def _score(column: str) -> str:
    # RANK: ties share their lowest rank, so equal values always get the same score.
    return (
        f"1 + CAST(FLOOR({SCORES}.0 * (RANK() OVER (ORDER BY {column} ASC) - 1)"
        f" / COUNT(*) OVER ()) AS INT)"
    )


def render_rfm(p: Mapping[str, object]) -> str:
    """Each member who bought in the period: last purchase, purchases, spend, and their scores."""
    return f"""
WITH {_purchases(p)},
w AS (
  SELECT member_id, MAX(occurred_at) AS last_at, COUNT(*) AS frequency,
    SUM(paid_minor) AS monetary_minor
  FROM p WHERE {within("occurred_at", p["start"], p["end"])}
  GROUP BY member_id
)
SELECT member_id, CAST(last_at AS DATE) AS last_purchase, frequency, monetary_minor,
  {_score("last_at")} AS r, {_score("frequency")} AS f, {_score("monetary_minor")} AS m
FROM w
"""


def render_points_by_month(p: Mapping[str, object]) -> str:
    """Points issued (net of returns), redeemed, expired, and members' holdings' change, by month;
    ``opening`` is what members held before the period (as the bucket ``NULL``)."""
    start, end = p["start"], p["end"]

    def total(condition: str, sign: str = "") -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN {sign}points ELSE 0 END), 0)"

    return f"""
WITH m AS ({members_scope(p)}),
e AS (
  SELECT x.account, x.points,
    CASE WHEN x.occurred_at < {timestamp(start)} THEN NULL
      ELSE CAST(date_trunc('month', x.occurred_at) AS DATE) END AS bucket
  FROM postings x JOIN m ON x.member_id = m.member_id
  WHERE {sale_conditions(p, "x")} AND x.occurred_at < {timestamp(end)}
)
SELECT bucket,
  {total("account = 'issuance'", "-")} AS issued,
  {total("account = 'redemption'")} AS redeemed,
  {total("account = 'breakage'")} AS expired,
  {total(f"account IN {MEMBER_ACCOUNTS}")} AS member_change
FROM e GROUP BY bucket
"""
