"""Breakage by issuing cohort: attribution first in first out, and the forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.cohorts import CohortBook, forecast
from loyalo.domain.finance.liability import EntryFlow, monthly_flows, totals_of

UTC_ZONE = ZoneInfo("UTC")


def flow(
    member: str,
    month: int,
    issued: int = 0,
    redeemed: int = 0,
    expired: int = 0,
    adjusted: int = 0,
    day: int = 10,
) -> EntryFlow:
    return EntryFlow(
        member, datetime(2026, month, day, tzinfo=UTC), issued, redeemed, expired, adjusted
    )


EXAMPLE = [
    flow("a", 1, issued=100),
    flow("a", 2, issued=50),
    flow("a", 2, redeemed=120, day=20),  # 100 from January (age 1), 20 from February (age 0)
    flow("a", 3, expired=30),  # the rest of February, at age 1
    flow("b", 1, issued=200),
    flow("b", 3, issued=-50),  # a return: the newest layer, January's
    flow("b", 3, redeemed=30, day=11),  # January, age 2
    flow("b", 3, expired=10, day=12),  # January, age 2
]


def test_points_are_followed_into_their_cohorts() -> None:
    book = CohortBook(UTC_ZONE)
    for f in EXAMPLE:
        book.record(f)
    jan, feb = book.cohorts[date(2026, 1, 1)], book.cohorts[date(2026, 2, 1)]
    assert jan.issued == 250
    assert dict(jan.redeemed_by_age) == {1: 100, 2: 30}
    assert dict(jan.expired_by_age) == {2: 10}
    assert feb.issued == 50
    assert dict(feb.redeemed_by_age) == {0: 20}
    assert dict(feb.expired_by_age) == {1: 30}
    assert book.outstanding() == 110


def the_example() -> CohortBook:
    book = CohortBook(UTC_ZONE)
    for f in EXAMPLE:
        book.record(f)
    return book


def test_forecast_by_hand() -> None:
    result = forecast(the_example(), date(2026, 3, 1), horizon_months=3)
    # age 0 -> 1: outstanding 250 (Jan) + 30 (Feb); 100 redeemed, 30 expired in the next month
    # age 1 -> 2: Jan only, 150 outstanding; 30 redeemed, 10 expired
    assert [(r.age, r.outstanding, r.redeemed, r.expired) for r in result.rates] == [
        (0, 280, Decimal(100) / 280, Decimal(30) / 280),
        (1, 150, Decimal(30) / 150, Decimal(10) / 150),
    ]
    jan, feb = result.cohorts
    # January, at age 2, has one month to the horizon, past the oldest age observed: at the
    # rates pooled over both ages (130 of 430 redeemed), 110 x 13/43 of its points
    assert (jan.redeemed, jan.expired, jan.outstanding) == (130, 10, 110)
    assert abs(jan.ultimate_redeemed - (130 + Decimal(1430) / 43)) < Decimal("1e-20")
    assert jan.never_redeemed == 250 - jan.ultimate_redeemed
    assert (feb.ultimate_redeemed, feb.never_redeemed) == (Decimal(20), Decimal(30))
    assert result.never_redeemed == jan.never_redeemed + 30
    assert result.breakage_rate == result.never_redeemed / 300
    assert result.ultimate_redemption_rate == (jan.ultimate_redeemed + 20) / 300
    assert jan.ages[-1].outstanding_share == Decimal(110) / 250
    assert jan.ages[1].redeemed_share == Decimal(100) / 250


def test_the_pooled_rates_go_on_to_the_default_horizon() -> None:
    result = forecast(the_example(), date(2026, 3, 1))
    assert result.horizon_months == 36
    jan = result.cohorts[0]
    # 34 more months at 13/43 redeemed and 4/43 expired each:
    # 110 x 13/43 x the sum of (26/43)^j for j < 34 = 110 x 13/17 x (1 - (26/43)^34)
    share = Decimal(13) / 17 * (1 - (Decimal(26) / 43) ** 34)
    assert abs(jan.ultimate_redeemed - (130 + 110 * share)) < Decimal("1e-20")


def test_a_young_cohort_is_developed_through_the_older_ones_rates() -> None:
    book = CohortBook(UTC_ZONE)
    for f in [
        flow("a", 1, issued=100),
        flow("a", 2, redeemed=50),  # half of January's points go at age 1
        flow("b", 2, issued=100),  # nothing redeemed yet
    ]:
        book.record(f)
    result = forecast(book, date(2026, 2, 1), horizon_months=2)
    # half of what is left is redeemed each month, for two months: 50 + 25
    feb = result.cohorts[1]
    assert feb.ultimate_redeemed == Decimal(75)
    assert feb.never_redeemed == Decimal(25)


def test_without_any_history_nothing_is_forecast_to_be_redeemed() -> None:
    book = CohortBook(UTC_ZONE)
    book.record(flow("a", 1, issued=100))
    (jan,) = forecast(book, date(2026, 1, 1)).cohorts
    assert (jan.ultimate_redeemed, jan.never_redeemed) == (Decimal(0), Decimal(100))


def test_the_horizon_must_be_a_month_at_least() -> None:
    with pytest.raises(InvalidInput):
        forecast(CohortBook(UTC_ZONE), date(2026, 1, 1), horizon_months=0)


def test_a_debt_is_settled_before_a_new_layer_opens() -> None:
    book = CohortBook(UTC_ZONE)
    for f in [
        flow("a", 1, issued=100),
        flow("a", 1, redeemed=100, day=11),
        flow("a", 2, issued=-40),  # a return of spent points: 40 owed
        flow("a", 3, issued=100),  # 40 settle the debt, 60 open March's layer
    ]:
        book.record(f)
    assert book.debt() == 0
    assert book.cohorts[date(2026, 3, 1)].issued == 60
    assert book.outstanding() == 60


def test_monthly_flows_and_totals() -> None:
    months = monthly_flows(EXAMPLE, UTC_ZONE)
    assert [(m.month.month, m.issued, m.taken_back, m.redeemed, m.expired) for m in months] == [
        (1, 300, 0, 0, 0),
        (2, 50, 0, 120, 0),
        (3, 0, 50, 30, 40),
    ]
    assert [m.closing for m in months] == [300, 230, 110]
    totals = totals_of(months)
    assert (totals.issued, totals.redeemed, totals.expired) == (300, 150, 40)
    assert totals.breakage_rate == Decimal(40) / 300


def test_months_follow_the_programme_calendar() -> None:
    late = EntryFlow("a", datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 10, 0, 0, 0)
    (month,) = monthly_flows([late], ZoneInfo("Europe/Warsaw"))
    assert month.month == date(2026, 2, 1)


moves = st.tuples(
    st.sampled_from(["a", "b", "c"]),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(["issued", "redeemed", "expired", "adjusted"]),
    st.integers(min_value=-50, max_value=200),
)


@given(st.lists(moves, max_size=40))
def test_cohorts_reconcile_with_the_members_accounts(
    drawn: list[tuple[str, int, str, int]],
) -> None:
    flows = sorted(
        (flow(member, month, **{kind: points}) for member, month, kind, points in drawn),
        key=lambda f: f.occurred_at,
    )
    book = CohortBook(UTC_ZONE)
    for f in flows:
        book.record(f)
    net = sum(f.member_change for f in flows)
    assert book.outstanding() - book.debt() == net
    result = forecast(book, date(2026, 12, 1))
    assert sum(c.outstanding for c in result.cohorts) == book.outstanding()
    for cohort in result.cohorts:
        assert cohort.redeemed <= cohort.ultimate_redeemed <= cohort.redeemed + cohort.outstanding
    months = monthly_flows(flows, UTC_ZONE)
    assert (months[-1].closing if months else 0) == net
