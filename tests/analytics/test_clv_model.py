"""Properties of the CLV models on any customer, and exact cases of the summary and the CLV."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime  # type: ignore[import-untyped]

from loyalo.domain.analytics.clv import bgnbd, gamma_gamma
from loyalo.domain.analytics.clv.bgnbd import BgNbdFit, BgNbdParameters
from loyalo.domain.analytics.clv.gamma_gamma import GammaGammaFit, GammaGammaParameters
from loyalo.domain.analytics.clv.summary import RfmSummary, summarise
from loyalo.domain.analytics.clv.value import ClvModel, score
from loyalo.domain.errors import InvalidInput, ModelNotEstimable

positive = st.floats(min_value=0.01, max_value=50.0)
parameters = st.builds(BgNbdParameters, r=positive, alpha=positive, a=positive, b=positive)


@st.composite
def customers(draw: st.DrawFn) -> tuple[float, float, float]:
    """(x, t_x, T) with 0 < t_x ≤ T when x > 0, and t_x = 0 when x = 0 (times in weeks)."""
    frequency = draw(st.integers(min_value=0, max_value=200))
    if frequency == 0:
        return 0.0, 0.0, draw(st.floats(min_value=0.0, max_value=500.0))
    recency = draw(st.floats(min_value=frequency / 7, max_value=500.0))  # one purchase a day
    age = recency + draw(st.floats(min_value=0.0, max_value=500.0))
    return float(frequency), recency, age


def _arrays(customer: tuple[float, float, float]) -> tuple[np.ndarray, ...]:
    return tuple(np.array([value]) for value in customer)


@settings(max_examples=300, deadline=None)
@given(parameters, customers())
def test_the_log_likelihood_is_finite_and_a_log_probability_without_repeats(
    params: BgNbdParameters, customer: tuple[float, float, float]
) -> None:
    value = bgnbd.log_likelihood(params, *_arrays(customer))
    assert np.isfinite(value).all()
    if customer[0] == 0:  # P(no purchase in (0, T]); with repeats it is a density in t_x
        assert value[0] <= 1e-12


@settings(max_examples=300, deadline=None)
@given(parameters, customers())
def test_p_alive_is_a_probability_and_one_without_repeat_purchases(
    params: BgNbdParameters, customer: tuple[float, float, float]
) -> None:
    alive = bgnbd.probability_alive(params, *_arrays(customer))[0]
    assert 0.0 <= alive <= 1.0
    if customer[0] == 0:
        assert alive == 1.0


@st.composite
def regular_parameters(draw: st.DrawFn) -> BgNbdParameters:
    """Away from a = 1 and a + b = 1, where the closed forms are 0/0 (removable, not evaluated)."""
    a = draw(st.floats(min_value=0.05, max_value=0.95) | st.floats(min_value=1.05, max_value=20.0))
    b = draw(st.floats(min_value=max(0.01, 1.05 - a), max_value=50.0))
    return BgNbdParameters(r=draw(positive), alpha=draw(positive), a=a, b=b)


R_EQUALS_A = BgNbdParameters(
    r=0.7630855554116418, alpha=0.125, a=0.7630855554116418, b=5.8982396818314635
)


@settings(max_examples=300, deadline=None)
@given(regular_parameters(), customers())
@example(R_EQUALS_A, (0.0, 0.0, 0.0))  # scipy's hyp2f1 has no value for either form at 104
def test_expected_purchases_grow_with_the_horizon(
    params: BgNbdParameters, customer: tuple[float, float, float]
) -> None:
    horizons = np.array([0.0, 1.0, 4.0, 13.0, 52.0, 104.0])
    conditional = bgnbd.conditional_expected_purchases(params, horizons, *_arrays(customer))
    unconditional = bgnbd.expected_purchases(params, horizons)
    for series in (conditional, unconditional):
        assert np.isfinite(series).all()
        assert series[0] == pytest.approx(0.0, abs=1e-12)
        assert np.all(np.diff(series) >= -1e-9 * np.maximum(1.0, np.abs(series[1:])))


def test_where_scipy_has_no_value_the_expectation_is_that_of_its_neighbours() -> None:
    """r = a, no repeat purchase, a long horizon: both closed forms are 0/0 for scipy."""
    horizons = np.array([104.0])
    one = (np.array([0.0]), np.array([0.0]), np.array([0.0]))
    at_r = bgnbd.conditional_expected_purchases(R_EQUALS_A, horizons, *one)[0]
    near = [
        bgnbd.conditional_expected_purchases(
            BgNbdParameters(R_EQUALS_A.r * factor, R_EQUALS_A.alpha, R_EQUALS_A.a, R_EQUALS_A.b),
            horizons,
            *one,
        )[0]
        for factor in (1 - 1e-4, 1 + 1e-4)
    ]
    assert np.isfinite(at_r)
    assert min(near) <= at_r <= max(near)
    assert at_r == pytest.approx(sum(near) / 2, rel=1e-6)


@pytest.mark.parametrize(
    "point",
    [(0.243, 4.414, 0.793, 2.426), (1.5, 0.5, 3.0, 0.7), (0.05, 20.0, 1.2, 9.0)],
)
def test_the_analytic_gradient_is_the_numerical_one(point: tuple[float, ...]) -> None:
    x = np.array([0.0, 1.0, 2.0, 7.0, 30.0])
    t_x = np.array([0.0, 3.5, 30.43, 20.0, 38.0])
    age = np.array([38.86, 10.0, 38.86, 25.0, 39.0])
    params = np.array(point)
    _, gradient = bgnbd._log_likelihood_and_gradient(params, x, t_x, age)

    def total(p: np.ndarray) -> float:
        return float(bgnbd._log_likelihood_and_gradient(p, x, t_x, age)[0].sum())

    numerical = approx_fprime(params, total, 1e-7)
    assert gradient.sum(axis=0) == pytest.approx(numerical, rel=1e-4, abs=1e-4)


def test_the_summary_merges_same_day_purchases_and_leaves_the_first_out_of_the_mean() -> None:
    rows = [
        ("ann", date(2026, 1, 1), 10.0),
        ("ann", date(2026, 1, 1), 5.0),  # the same day: one purchase of 15
        ("ann", date(2026, 1, 8), 20.0),
        ("ann", date(2026, 1, 22), 30.0),
        ("ann", date(2026, 1, 22), 10.0),
        ("ann", date(2026, 3, 1), 99.0),  # after the period's end
        ("bob", date(2026, 1, 15), 7.0),
    ]
    summary = summarise(rows, period_end=date(2026, 1, 29))
    assert summary.customer_ids == ("ann", "bob")
    assert summary.frequency.tolist() == [2.0, 0.0]
    assert summary.recency.tolist() == [3.0, 0.0]  # 21 days, in weeks
    assert summary.age.tolist() == [4.0, 2.0]
    assert summary.monetary.tolist() == [30.0, 0.0]  # (20 + 40) / 2; the first 15 left out


def test_an_empty_history_has_an_empty_summary() -> None:
    assert len(summarise([], period_end=date(2026, 1, 1))) == 0


@pytest.mark.parametrize(
    ("frequency", "recency", "age"),
    [([], [], []), ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [5.0, 3.0, 1.0]), ([2.0], [3.0], [4.0])],
)
def test_bgnbd_refuses_a_history_it_cannot_estimate(
    frequency: list[float], recency: list[float], age: list[float]
) -> None:
    with pytest.raises(ModelNotEstimable):
        bgnbd.fit(np.array(frequency), np.array(recency), np.array(age))


def test_gamma_gamma_refuses_fewer_than_two_repeat_buyers() -> None:
    with pytest.raises(ModelNotEstimable):
        gamma_gamma.fit(np.array([0.0, 3.0]), np.array([0.0, 12.0]))


def _model() -> ClvModel:
    return ClvModel(
        BgNbdFit(BgNbdParameters(0.243, 4.414, 0.793, 2.426), -9582.4, 2357),
        GammaGammaFit(GammaGammaParameters(6.25, 3.74, 15.44), -4055.9, 946),
    )


def _customers() -> RfmSummary:
    return summarise(
        [
            ("new", date(2026, 6, 1), 40.0),
            ("loyal", date(2026, 1, 1), 30.0),
            ("loyal", date(2026, 3, 1), 30.0),
            ("loyal", date(2026, 5, 1), 50.0),
            ("loyal", date(2026, 6, 20), 40.0),
            ("gone", date(2026, 1, 1), 30.0),
            ("gone", date(2026, 1, 20), 60.0),
        ],
        period_end=date(2026, 6, 30),
    )


def test_without_discount_the_clv_is_spend_times_expected_purchases() -> None:
    summary = _customers()
    scores = score(_model(), summary, horizon_months=12, monthly_discount=0.0)
    assert scores.value == pytest.approx(scores.expected_spend * scores.expected_purchases)
    expected = bgnbd.conditional_expected_purchases(
        _model().purchases.parameters,
        12 * 365.25 / 12 / 7,
        summary.frequency,
        summary.recency,
        summary.age,
    )
    assert scores.expected_purchases == pytest.approx(expected)


def test_the_population_mean_spend_without_repeat_purchases() -> None:
    summary = _customers()
    scores = score(_model(), summary, horizon_months=1, monthly_discount=0.0)
    new = summary.customer_ids.index("new")
    assert scores.expected_spend[new] == pytest.approx(15.44 * 6.25 / (3.74 - 1.0))


@pytest.mark.parametrize(("horizon", "discount"), [(1, 0.0), (12, 0.01), (36, 0.02), (60, 0.1)])
def test_the_clv_is_the_discounted_sum_of_the_monthly_increments(
    horizon: int, discount: float
) -> None:
    summary = _customers()
    scores = score(_model(), summary, horizon, discount)
    month = 365.25 / 12 / 7
    by_hand = np.zeros(3)
    for k in range(1, horizon + 1):
        increment = bgnbd.conditional_expected_purchases(
            _model().purchases.parameters,
            k * month,
            summary.frequency,
            summary.recency,
            summary.age,
        ) - bgnbd.conditional_expected_purchases(
            _model().purchases.parameters,
            (k - 1) * month,
            summary.frequency,
            summary.recency,
            summary.age,
        )
        by_hand += scores.expected_spend * increment / (1.0 + discount) ** k
    assert scores.value == pytest.approx(by_hand, rel=1e-12)


def test_the_clv_falls_with_the_discount_rate_and_a_lapsed_customer_is_worth_less() -> None:
    summary = _customers()
    values = [score(_model(), summary, 24, d).value for d in (0.0, 0.01, 0.05)]
    assert np.all(values[0] > values[1])
    assert np.all(values[1] > values[2])
    order = dict(zip(summary.customer_ids, values[1], strict=True))
    assert order["loyal"] > order["gone"]


@pytest.mark.parametrize(("horizon", "discount"), [(0, 0.01), (12, -0.01), (12, 1.0)])
def test_score_refuses_a_horizon_or_discount_out_of_range(horizon: int, discount: float) -> None:
    with pytest.raises(InvalidInput):
        score(_model(), _customers(), horizon, discount)


def test_a_spend_model_without_a_finite_mean_cannot_score() -> None:
    heavy_tailed = GammaGammaParameters(p=2.0, q=0.9, gamma=10.0)
    with pytest.raises(ModelNotEstimable):
        gamma_gamma.conditional_expected_spend(heavy_tailed, np.array([2.0]), np.array([30.0]))
