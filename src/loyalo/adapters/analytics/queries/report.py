"""Cohorts, RFM and points by month for the report, in SQL that DuckDB and Spark both read.

Besides the common subset (``__init__.py``) these use ``date_trunc('month', …)``,
``year``, ``month``, ``RANK()`` and ``COUNT(*) OVER ()``, ``CAST`` and ``NULLS FIRST``,
which both engines share; the quintile scores are integer comparisons (no division,
so no engine's decimal or float rounding), and every result is ordered. Revenue is
``paid_minor`` (after the programme's discounts), as in the KPIs; returns are not deducted.
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
SELECT cohort_month, COUNT(*) AS members FROM cohort GROUP BY cohort_month ORDER BY cohort_month
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
ORDER BY 1, 2
"""


def _below(column: str) -> str:
    # RANK: ties share their lowest rank, so equal values always get the same score.
    return f"RANK() OVER (ORDER BY {column} ASC) - 1"


def _score(below: str) -> str:
    """1 + floor(5 * below / n) in integers only: no division, the same on every engine."""
    steps = " ".join(
        f"WHEN {SCORES} * {below} >= {k} * n THEN {k}" for k in range(SCORES - 1, 0, -1)
    )
    return f"1 + CASE {steps} ELSE 0 END"


def render_rfm(p: Mapping[str, object]) -> str:
    """Each member who bought in the period: last purchase, purchases, spend, and their scores."""
    return f"""
WITH {_purchases(p)},
w AS (
  SELECT member_id, MAX(occurred_at) AS last_at, COUNT(*) AS frequency,
    SUM(paid_minor) AS monetary_minor
  FROM p WHERE {within("occurred_at", p["start"], p["end"])}
  GROUP BY member_id
),
ranked AS (
  SELECT member_id, last_at, frequency, monetary_minor, COUNT(*) OVER () AS n,
    {_below("last_at")} AS r_below, {_below("frequency")} AS f_below,
    {_below("monetary_minor")} AS m_below
  FROM w
)
SELECT member_id, CAST(last_at AS DATE) AS last_purchase, frequency, monetary_minor,
  {_score("r_below")} AS r, {_score("f_below")} AS f, {_score("m_below")} AS m
FROM ranked ORDER BY member_id
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
FROM e GROUP BY bucket ORDER BY bucket ASC NULLS FIRST
"""
