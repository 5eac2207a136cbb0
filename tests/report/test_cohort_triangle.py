"""The cohort triangle: every month from a cohort's own to the last, zeros where nobody bought."""

from __future__ import annotations

from datetime import date

import pytest

from loyalo.domain.report.cohorts import (
    CohortActivity,
    CohortMonth,
    add_months,
    cohort_sizes,
    cohort_triangle,
    months_between,
)

JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def test_gaps_are_zeros_and_every_cohort_runs_to_the_last_month() -> None:
    activity = [
        CohortActivity(JAN, 0, 4, 1000),
        CohortActivity(JAN, 2, 1, 300),  # nobody of January bought in February
        CohortActivity(MAR, 0, 2, 50),
    ]
    rows = cohort_triangle({MAR: 2, JAN: 4, FEB: 3}, activity, date(2026, 3, 31))

    assert rows == [
        CohortMonth(JAN, 0, 4, 4, 1000),
        CohortMonth(JAN, 1, 4, 0, 0),
        CohortMonth(JAN, 2, 4, 1, 300),
        CohortMonth(FEB, 0, 3, 0, 0),  # a cohort's size with no activity read: still there
        CohortMonth(FEB, 1, 3, 0, 0),
        CohortMonth(MAR, 0, 2, 2, 50),
    ]
    assert [r.retention for r in rows] == [1.0, 0.0, 0.25, 0.0, 0.0, 1.0]


def test_a_cohorts_size_is_its_activity_in_its_own_month() -> None:
    activity = [
        CohortActivity(JAN, 0, 4, 1000),
        CohortActivity(JAN, 1, 3, 700),
        CohortActivity(FEB, 1, 1, 10),  # a later month only: not a size
        CohortActivity(MAR, 0, 2, 50),
    ]

    assert cohort_sizes(activity) == {JAN: 4, MAR: 2}
    assert cohort_sizes([]) == {}


@pytest.mark.parametrize(
    ("first", "later", "months"),
    [
        (JAN, JAN, 0),
        (JAN, date(2026, 1, 31), 0),
        (date(2025, 12, 1), JAN, 1),
        (date(2025, 11, 1), date(2026, 10, 15), 11),
        (date(2024, 2, 1), date(2026, 2, 28), 24),
    ],
)
def test_months_between(first: date, later: date, months: int) -> None:
    assert months_between(first, later) == months
    assert add_months(first.replace(day=1), months) == later.replace(day=1)
