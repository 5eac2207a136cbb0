"""The matched baseline of attributable revenue, in SQL that DuckDB and Spark both read.

Joiners are grouped by the week they joined (Monday 00:00 UTC, ``date_trunc('week', …)``,
the same in both engines). For each such week *w* whose window after it has ended by
``horizon``, every joiner of the period who joined in it, and every member in scope who had
not joined by the end of that window (a *control*), is measured over the same calendar days:
what they paid in the ``window_days`` before *w* and in the ``window_days`` from *w* + 7 days.
The joining week itself is in neither window. Both sides are then put in strata of their
spending before *w* (orders: 1, 2, 3-4, 5 or more; spend: which quartile of the joiners'
spend it falls in); a member who bought nothing in the window before *w* is in no stratum.
The domain computes the lift from the strata (``domain/analytics/matched_baseline.py``).

Besides the common subset (``__init__.py``) these use ``date_trunc('week', …)``, interval
arithmetic on timestamps, ``ROW_NUMBER() OVER`` and ``COUNT(*) OVER ()``, which both engines
share. The quartile cuts are values at integer row positions, so ties and engines agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.adapters.analytics.queries.literals import (
    members_scope,
    sale_conditions,
    timestamp,
    within,
)

_WEEK = "INTERVAL '7' DAY"


def _window(p: Mapping[str, object]) -> str:
    days = int(str(p["window_days"]))
    if not 1 <= days <= 366:
        raise ValueError(f"window_days must be 1 to 366, not {days}")
    return f"INTERVAL '{days}' DAY"


def _joined(p: Mapping[str, object]) -> str:
    return f"""m AS ({members_scope(p)}),
j AS (
  SELECT member_id, created_at, date_trunc('week', created_at) AS join_week,
    CASE WHEN {within("created_at", p["start"], p["end"])} THEN 1 ELSE 0 END AS in_period
  FROM m
)"""


def _strata(p: Mapping[str, object]) -> str:
    """Every cohort week's joiners and controls, their two windows, banded into strata."""
    window, horizon = _window(p), timestamp(p["horizon"])
    return f"""{_joined(p)},
p AS (
  SELECT p.member_id, p.occurred_at, p.paid_minor FROM purchases p
  WHERE {sale_conditions(p, "p")}
),
cohort AS (
  SELECT DISTINCT join_week AS week FROM j
  WHERE in_period = 1 AND join_week + {_WEEK} + {window} <= {horizon}
),
candidate AS (
  SELECT c.week, j.member_id, CASE WHEN j.join_week = c.week THEN 1 ELSE 0 END AS joiner
  FROM cohort c JOIN j ON (j.join_week = c.week AND j.in_period = 1)
    OR j.created_at >= c.week + {_WEEK} + {window}
),
windows AS (
  SELECT x.week, x.member_id, x.joiner,
    SUM(CASE WHEN b.occurred_at < x.week THEN 1 ELSE 0 END) AS orders_before,
    SUM(CASE WHEN b.occurred_at < x.week THEN b.paid_minor ELSE 0 END) AS before_minor,
    SUM(CASE WHEN b.occurred_at >= x.week THEN b.paid_minor ELSE 0 END) AS after_minor
  FROM candidate x JOIN p b ON b.member_id = x.member_id
    AND ((b.occurred_at >= x.week - {window} AND b.occurred_at < x.week)
      OR (b.occurred_at >= x.week + {_WEEK} AND b.occurred_at < x.week + {_WEEK} + {window}))
  GROUP BY x.week, x.member_id, x.joiner
),
pool AS (SELECT * FROM windows WHERE orders_before > 0),
ranked AS (
  SELECT before_minor, ROW_NUMBER() OVER (ORDER BY before_minor) AS position,
    COUNT(*) OVER () AS n
  FROM pool WHERE joiner = 1
),
cuts AS (
  SELECT MAX(CASE WHEN 4 * position <= n THEN before_minor END) AS q1,
    MAX(CASE WHEN 4 * position <= 2 * n THEN before_minor END) AS q2,
    MAX(CASE WHEN 4 * position <= 3 * n THEN before_minor END) AS q3
  FROM ranked
),
banded AS (
  SELECT w.week, w.member_id, w.joiner, w.before_minor, w.after_minor,
    CASE WHEN w.orders_before >= 5 THEN 4 WHEN w.orders_before >= 3 THEN 3
      ELSE w.orders_before END AS frequency_band,
    1 + CASE WHEN w.before_minor > c.q1 THEN 1 ELSE 0 END
      + CASE WHEN w.before_minor > c.q2 THEN 1 ELSE 0 END
      + CASE WHEN w.before_minor > c.q3 THEN 1 ELSE 0 END AS spend_band
  FROM pool w CROSS JOIN cuts c
),
cells AS (
  SELECT week, frequency_band, spend_band,
    SUM(joiner) AS joiners,
    SUM(joiner * before_minor) AS joiners_before_minor,
    SUM(joiner * after_minor) AS joiners_after_minor,
    SUM(1 - joiner) AS controls,
    SUM((1 - joiner) * before_minor) AS controls_before_minor,
    SUM((1 - joiner) * after_minor) AS controls_after_minor
  FROM banded GROUP BY week, frequency_band, spend_band
)"""


def render_strata(p: Mapping[str, object]) -> str:
    """Every stratum of every cohort week that holds a joiner, with its controls (maybe none);
    ``controls_first_seen``: the controls for whom it is the first such stratum (by week, then
    bands), so that their sum counts each control member once."""
    return f"""
WITH {_strata(p)},
serving AS (
  SELECT b.week, b.frequency_band, b.spend_band,
    ROW_NUMBER() OVER (PARTITION BY b.member_id
      ORDER BY b.week, b.frequency_band, b.spend_band) AS turn
  FROM banded b JOIN cells c ON c.week = b.week AND c.frequency_band = b.frequency_band
    AND c.spend_band = b.spend_band
  WHERE b.joiner = 0 AND c.joiners > 0
),
firsts AS (
  SELECT week, frequency_band, spend_band, COUNT(*) AS controls_first_seen
  FROM serving WHERE turn = 1 GROUP BY week, frequency_band, spend_band
)
SELECT CAST(c.week AS DATE) AS join_week, c.frequency_band, c.spend_band, c.joiners,
  c.joiners_before_minor, c.joiners_after_minor, c.controls, c.controls_before_minor,
  c.controls_after_minor, COALESCE(f.controls_first_seen, 0) AS controls_first_seen
FROM cells c LEFT JOIN firsts f ON f.week = c.week AND f.frequency_band = c.frequency_band
  AND f.spend_band = c.spend_band
WHERE c.joiners > 0
ORDER BY join_week, c.frequency_band, c.spend_band
"""


def render_joiners(p: Mapping[str, object]) -> str:
    """The members in scope who joined in the period, and those of them whose window after
    the joining week had not ended by ``horizon``."""
    window, horizon = _window(p), timestamp(p["horizon"])
    return f"""
WITH {_joined(p)}
SELECT COUNT(*) AS joiners,
  COALESCE(SUM(CASE WHEN join_week + {_WEEK} + {window} > {horizon} THEN 1 ELSE 0 END), 0)
    AS joiners_too_recent
FROM j WHERE in_period = 1
"""
