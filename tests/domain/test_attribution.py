"""The matched baseline's arithmetic and the choice of method, without an engine.

Properties a difference-in-differences must have whatever the strata hold: spend levels that
are the same before and after cancel out; an extra amount after joining is found whole;
strata without controls change nothing; the figures add up.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.analytics.attribution import Attribution, first_estimate
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.analytics.kpis import MembersVsNonMembers
from loyalo.domain.analytics.matched_baseline import (
    JoinerCounts,
    MatchedBaseline,
    Stratum,
    round_half_up,
)
from loyalo.domain.analytics.roi import aov_lift_attribution
from loyalo.domain.money import Money

SEEN = datetime(2026, 5, 1, tzinfo=UTC)
MONEY = st.integers(min_value=0, max_value=10**7)


@st.composite
def strata(draw: st.DrawFn) -> Stratum:
    joiners = draw(st.integers(1, 30))
    controls = draw(st.integers(0, 30))
    return Stratum(
        join_week=date(2026, 3, 2 + 7 * draw(st.integers(0, 3))),
        frequency_band=draw(st.integers(1, 4)),
        spend_band=draw(st.integers(1, 4)),
        joiners=joiners,
        joiners_before_minor=draw(MONEY),
        joiners_after_minor=draw(MONEY),
        controls=controls,
        controls_before_minor=draw(MONEY) if controls else 0,
        controls_after_minor=draw(MONEY) if controls else 0,
        controls_first_seen=draw(st.integers(0, controls)),
    )


def _baseline(cells: list[Stratum], recent: int = 0, without: int = 0) -> MatchedBaseline:
    joiners = sum(s.joiners for s in cells) + recent + without
    return MatchedBaseline(28, SEEN, "PLN", JoinerCounts(joiners, recent), tuple(cells))


@given(st.lists(strata(), min_size=1, max_size=8), st.integers(0, 5), st.integers(0, 5))
def test_the_figures_add_up(cells: list[Stratum], recent: int, without: int) -> None:
    found = _baseline(cells, recent, without)
    counts = found.counts
    assert (
        found.joiners_matched + found.joiners_unmatched + found.joiners_without_history + recent
        == counts.joiners
    )
    assert found.joiners_without_history == without
    if found.joiners_matched == 0:
        assert (found.lift, found.attribution().revenue) == (None, None)
        return
    assert found.lift is not None
    assert found.joiners_change is not None
    assert found.predicted_change is not None
    assert found.lift == found.joiners_change - found.predicted_change
    exact = sum((s.predicted_change() for s in cells if s.matched), Fraction(0))
    assert abs(found.predicted_change.amount_minor - exact) <= Fraction(1, 2)


@given(st.lists(strata(), min_size=1, max_size=8), st.integers(-(10**5), 10**5))
def test_a_level_shared_by_both_windows_cancels_out(cells: list[Stratum], level: int) -> None:
    """Every member paying ``level`` more before and after: the lift does not move."""

    def shifted(s: Stratum) -> Stratum:
        return replace(
            s,
            joiners_before_minor=s.joiners_before_minor + level * s.joiners,
            joiners_after_minor=s.joiners_after_minor + level * s.joiners,
            controls_before_minor=s.controls_before_minor + level * s.controls,
            controls_after_minor=s.controls_after_minor + level * s.controls,
        )

    assert _baseline([shifted(s) for s in cells]).lift == _baseline(cells).lift


@given(st.lists(strata(), min_size=1, max_size=8), st.integers(-(10**5), 10**5))
def test_an_extra_amount_after_joining_is_found_whole(cells: list[Stratum], extra: int) -> None:
    """Each joiner paying ``extra`` more after joining raises the lift by exactly that much for
    each matched joiner, and not at all for unmatched ones."""
    before = _baseline(cells)
    raised = [
        replace(s, joiners_after_minor=s.joiners_after_minor + extra * s.joiners) for s in cells
    ]
    after = _baseline(raised)
    if before.lift is None:
        assert after.lift is None
        return
    assert after.lift == before.lift + Money(extra * before.joiners_matched, "PLN")


@given(st.lists(strata(), min_size=1, max_size=8))
def test_order_of_strata_and_unmatched_strata_change_nothing(cells: list[Stratum]) -> None:
    matched = [s for s in cells if s.matched]
    assert _baseline(list(reversed(cells))).lift == _baseline(cells).lift
    assert _baseline(matched).lift == _baseline(cells).lift


def test_one_stratum_by_hand() -> None:
    """3 joiners paid 300.00 before and 450.00 after (+150.00); 4 controls 400.00 and 420.00:
    their mean change +5.00 predicts +15.00 for 3 joiners. Lift 135.00."""
    cell = Stratum(date(2026, 3, 2), 1, 2, 3, 30_000, 45_000, 4, 40_000, 42_000, 4)
    found = _baseline([cell])
    assert (str(found.joiners_change), str(found.predicted_change), str(found.lift)) == (
        "150.00",
        "15.00",
        "135.00",
    )
    assert found.attribution() == Attribution("matched-baseline", found.lift, found.reason)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (Fraction(5, 2), 3),
        (Fraction(-5, 2), -3),
        (Fraction(7, 3), 2),
        (Fraction(-7, 3), -2),
        (Fraction(0), 0),
    ],
)
def test_rounding_half_away_from_zero(value: Fraction, rounded: int) -> None:
    assert round_half_up(value) == rounded


MATCHED = Attribution("matched-baseline", Money(4_000, "PLN"), "4 joiners")
NO_MATCH = Attribution("matched-baseline", None, "nobody in scope joined in the period")
AOV = Attribution("aov-lift", Money(900, "PLN"), "against 3 non-member receipts")
NO_AOV = Attribution("aov-lift", None, "no non-member sales in the period")


@pytest.mark.parametrize(
    ("candidates", "expected"),
    [
        ((MATCHED, AOV), MATCHED),
        (
            (NO_MATCH, AOV),
            Attribution(
                "aov-lift",
                Money(900, "PLN"),
                "against 3 non-member receipts; matched-baseline not used: nobody in scope "
                "joined in the period",
            ),
        ),
        (
            (NO_MATCH, NO_AOV),
            Attribution(
                None,
                None,
                "no estimate: matched-baseline not used: nobody in scope joined in the period; "
                "aov-lift not used: no non-member sales in the period",
            ),
        ),
    ],
)
def test_the_first_method_that_estimates_is_used(
    candidates: tuple[Attribution, ...], expected: Attribution
) -> None:
    assert first_estimate(*candidates) == expected


def test_the_aov_lift_says_what_it_compared() -> None:
    """Members: 10 orders, 600.00; non-members: 4 receipts, 200.00 (AOV 50.00): 600 - 500."""
    period = Period(date(2026, 3, 1), date(2026, 3, 31))
    sales = MembersVsNonMembers(period, KpiFilters(), "PLN", 10, 60_000, 6, 4, 20_000)
    assert aov_lift_attribution(sales) == Attribution(
        "aov-lift",
        Money(10_000, "PLN"),
        "the members' average order above that of 4 non-member receipts, times 10 member orders",
    )
