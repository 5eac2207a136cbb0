"""The report's questions as SQL that DuckDB and Spark SQL both run unchanged.

Only what both engines share is used: ``date_trunc('month', …)``, ``year`` and
``month``, ``RANK()`` and ``COUNT(*)`` windows, ``FLOOR`` and ``CAST``. Periods
are rendered as ``TIMESTAMP '…'`` literals from ``date`` values (never from
text), so no engine's parameter syntax is needed. Timestamps are UTC.

The views read: ``{purchases}`` (member_id, occurred_at, total_minor) and
``{postings}`` (member_id, account, points, occurred_at).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from loyalo.application.report.ports import PointsMonth, SalesSummary
from loyalo.domain.ledger.accounts import MEMBER_ACCOUNTS
from loyalo.domain.report.cohorts import CohortActivity, add_months, month_start, months_between
from loyalo.domain.report.rfm import SCORES, MemberRfm


class SqlRunner(Protocol):
    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...


def _at(day: date) -> str:
    return f"TIMESTAMP '{datetime(day.year, day.month, day.day).isoformat(sep=' ')}'"


def _period(first: date, last: date) -> tuple[str, str]:
    """The half-open range [first 00:00, the day after last 00:00)."""
    return _at(first), _at(last + timedelta(days=1))


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if not isinstance(value, date):
        raise TypeError(f"{value!r} is not a date")
    return value


FIRSTS = """
    SELECT member_id, CAST(date_trunc('month', MIN(occurred_at)) AS DATE) AS cohort_month
    FROM {purchases} GROUP BY member_id
"""


def _score(column: str, order: str) -> str:
    # RANK: ties share their lowest rank, so equal values always get the same score.
    return (
        f"1 + CAST(FLOOR({SCORES}.0 * (RANK() OVER (ORDER BY {column} {order}) - 1)"
        f" / COUNT(*) OVER ()) AS INT)"
    )


class ReportSql:
    """``ReportQueries`` over any engine that runs SQL on the analytics views."""

    def __init__(
        self, runner: SqlRunner, purchases: str = "purchases", postings: str = "postings"
    ) -> None:
        self._run = runner.rows
        self._purchases = purchases
        self._postings = postings

    def cohort_sizes(self, first: date, last: date) -> dict[date, int]:
        begin, end = _period(first, last)
        firsts = FIRSTS.format(purchases=self._purchases)
        sql = (
            f"SELECT cohort_month, COUNT(*) FROM ({firsts}) AS f"
            f" WHERE cohort_month >= CAST({begin} AS DATE) AND cohort_month < CAST({end} AS DATE)"
            " GROUP BY cohort_month"
        )
        return {_day(month): int(count) for month, count in self._run(sql)}

    def cohort_activity(self, first: date, last: date) -> list[CohortActivity]:
        begin, end = _period(first, last)
        firsts = FIRSTS.format(purchases=self._purchases)
        sql = f"""
            SELECT f.cohort_month,
                   (year(p.occurred_at) - year(f.cohort_month)) * 12
                     + month(p.occurred_at) - month(f.cohort_month) AS months_since,
                   COUNT(DISTINCT p.member_id), SUM(p.total_minor)
            FROM ({firsts}) AS f JOIN {self._purchases} AS p ON p.member_id = f.member_id
            WHERE f.cohort_month >= CAST({begin} AS DATE) AND f.cohort_month < CAST({end} AS DATE)
              AND p.occurred_at < {end}
            GROUP BY 1, 2
        """
        return [
            CohortActivity(_day(month), int(since), int(active), int(revenue))
            for month, since, active, revenue in self._run(sql)
        ]

    def rfm(self, first: date, last: date) -> list[MemberRfm]:
        begin, end = _period(first, last)
        sql = f"""
            SELECT member_id, last_at, frequency, monetary_minor,
                   {_score("last_at", "ASC")}, {_score("frequency", "ASC")},
                   {_score("monetary_minor", "ASC")}
            FROM (
                SELECT member_id, MAX(occurred_at) AS last_at, COUNT(*) AS frequency,
                       SUM(total_minor) AS monetary_minor
                FROM {self._purchases}
                WHERE occurred_at >= {begin} AND occurred_at < {end}
                GROUP BY member_id
            ) AS m
        """
        return [
            MemberRfm(str(member), _day(at), int(f), int(m), int(r_s), int(f_s), int(m_s))
            for member, at, f, m, r_s, f_s, m_s in self._run(sql)
        ]

    def points_by_month(self, first: date, last: date) -> list[PointsMonth]:
        begin, end = _period(first, last)
        members = ", ".join(f"'{account.value}'" for account in sorted(MEMBER_ACCOUNTS))
        sql = f"""
            SELECT CAST(date_trunc('month', occurred_at) AS DATE) AS month,
                   SUM(CASE WHEN account = 'issuance' THEN -points ELSE 0 END),
                   SUM(CASE WHEN account = 'redemption' THEN points ELSE 0 END),
                   SUM(CASE WHEN account = 'breakage' THEN points ELSE 0 END),
                   SUM(CASE WHEN account IN ({members}) THEN points ELSE 0 END)
            FROM {self._postings}
            WHERE occurred_at >= {begin} AND occurred_at < {end}
            GROUP BY 1
        """
        found = {
            _day(month): PointsMonth(_day(month), int(i), int(r), int(e), int(c))
            for month, i, r, e, c in self._run(sql)
        }
        months = (add_months(month_start(first), k) for k in range(months_between(first, last) + 1))
        return [found.get(month, PointsMonth(month, 0, 0, 0, 0)) for month in months]

    def member_points_before(self, day: date) -> int:
        members = ", ".join(f"'{account.value}'" for account in sorted(MEMBER_ACCOUNTS))
        sql = (
            f"SELECT SUM(points) FROM {self._postings}"
            f" WHERE account IN ({members}) AND occurred_at < {_at(day)}"
        )
        (total,) = self._run(sql)[0]
        return int(total or 0)

    def sales(self, first: date, last: date) -> SalesSummary:
        begin, end = _period(first, last)
        sql = f"""
            SELECT COUNT(DISTINCT member_id), COUNT(*), SUM(total_minor) FROM {self._purchases}
            WHERE occurred_at >= {begin} AND occurred_at < {end}
        """
        buyers, purchases, revenue = self._run(sql)[0]
        return SalesSummary(int(buyers), int(purchases), int(revenue or 0))
