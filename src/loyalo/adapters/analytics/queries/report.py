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
    in_scope,
    members_scope,
    sale_conditions,
    timestamp,
    within,
)
from loyalo.adapters.analytics.queries.points import MEMBER_ACCOUNTS
from loyalo.domain.report.rfm import SCORES


def render_cohort_activity(p: Mapping[str, object]) -> str:
    """The cohorts acquired in the period (members by month of first purchase) and what their
    members bought in each month since, up to the end of the period.

    Each member's purchases are grouped by month once and the cohort is the first of those
    months, so a member counts once per month without a COUNT(DISTINCT). A cohort's size is
    its row with ``months_since`` 0, since every member bought in it (``cohort_sizes``)."""
    return f"""
WITH m AS ({members_scope(p)}),
monthly AS (
  SELECT p.member_id, year(p.occurred_at) * 12 + month(p.occurred_at) AS month_no,
    MIN(p.occurred_at) AS first_at, SUM(p.paid_minor) AS revenue_minor
  FROM purchases p {in_scope(p, "p")}
  WHERE {sale_conditions(p, "p")} AND p.occurred_at < {timestamp(p["end"])}
  GROUP BY p.member_id, year(p.occurred_at) * 12 + month(p.occurred_at)
),
cohort AS (
  SELECT member_id, MIN(month_no) AS cohort_no,
    CAST(date_trunc('month', MIN(first_at)) AS DATE) AS cohort_month
  FROM monthly GROUP BY member_id HAVING MIN(first_at) >= {timestamp(p["start"])}
)
SELECT c.cohort_month, o.month_no - c.cohort_no AS months_since,
  COUNT(*) AS active_members, SUM(o.revenue_minor) AS revenue_minor
FROM cohort c JOIN monthly o ON o.member_id = c.member_id
GROUP BY c.cohort_month, o.month_no - c.cohort_no
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
WITH m AS ({members_scope(p)}),
w AS (
  SELECT p.member_id, MAX(p.occurred_at) AS last_at, COUNT(*) AS frequency,
    SUM(p.paid_minor) AS monetary_minor
  FROM purchases p {in_scope(p, "p")}
  WHERE {sale_conditions(p, "p")} AND {within("p.occurred_at", p["start"], p["end"])}
  GROUP BY p.member_id
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
  FROM postings x {in_scope(p, "x")}
  WHERE {sale_conditions(p, "x")} AND x.occurred_at < {timestamp(end)}
)
SELECT bucket,
  {total("account = 'issuance'", "-")} AS issued,
  {total("account = 'redemption'")} AS redeemed,
  {total("account = 'breakage'")} AS expired,
  {total(f"account IN {MEMBER_ACCOUNTS}")} AS member_change
FROM e GROUP BY bucket ORDER BY bucket ASC NULLS FIRST
"""
