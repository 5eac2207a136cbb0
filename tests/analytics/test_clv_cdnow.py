"""The CLV models reproduce the published CDNOW estimates (Fader, Hardie and Lee 2005).

BG/NBD: "Counting your customers the easy way", Marketing Science 24(2), on the 2,357
customer sample, calibration weeks 1-39 (1997-01-01 to 1997-09-30), same-day purchases
merged, time in weeks. Gamma-Gamma: "RFM and CLV: using iso-value curves", JMR 42(4), on
the 946 repeat buyers, monetary value the mean of the repeat purchases in dollars.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import numpy as np
import pytest

from loyalo.domain.analytics.clv import bgnbd, gamma_gamma
from loyalo.domain.analytics.clv.bgnbd import BgNbdParameters
from loyalo.domain.analytics.clv.gamma_gamma import GammaGammaParameters
from loyalo.domain.analytics.clv.summary import RfmSummary, summarise
from tests.analytics.cdnow import (
    CALIBRATION_END,
    HOLDOUT_END,
    SUMMARY,
    read_sample,
    require_cdnow,
)

PUBLISHED_BGNBD = BgNbdParameters(r=0.243, alpha=4.414, a=0.793, b=2.426)
PUBLISHED_LOG_LIKELIHOOD = -9582.4
PUBLISHED_GAMMA_GAMMA = GammaGammaParameters(p=6.25, q=3.74, gamma=15.44)
HALF_A_CENT = 0.005 + 1e-9  # the published file rounds to two decimals


@pytest.fixture(scope="module")
def calibration() -> RfmSummary:
    require_cdnow()
    return summarise(read_sample(), CALIBRATION_END)


def _three_significant_digits(value: float) -> str:
    return f"{value:.3g}"


def test_the_summary_equals_the_published_one_customer_by_customer(
    calibration: RfmSummary,
) -> None:
    with SUMMARY.open() as lines:
        published = {row["ID"]: row for row in csv.DictReader(lines)}
    assert len(calibration) == len(published) == 2357
    for i, customer in enumerate(calibration.customer_ids):
        row = published[customer]
        assert calibration.frequency[i] == int(row["x"]), customer
        assert calibration.recency[i] == pytest.approx(float(row["t_x"]), abs=HALF_A_CENT)
        assert calibration.age[i] == pytest.approx(float(row["T"]), abs=HALF_A_CENT)
        assert calibration.monetary[i] == pytest.approx(float(row["zbar"]), abs=HALF_A_CENT)
    assert int(calibration.frequency.sum()) == 2457
    assert int(np.count_nonzero(calibration.frequency)) == 946


@pytest.mark.parametrize(
    ("name", "published"),
    [("r", PUBLISHED_BGNBD.r), ("alpha", PUBLISHED_BGNBD.alpha), ("a", PUBLISHED_BGNBD.a),
     ("b", PUBLISHED_BGNBD.b)],
)  # fmt: skip
def test_bgnbd_reproduces_the_published_estimates(
    calibration: RfmSummary, name: str, published: float
) -> None:
    fit = bgnbd.fit(calibration.frequency, calibration.recency, calibration.age)
    estimate = getattr(fit.parameters, name)
    assert _three_significant_digits(estimate) == _three_significant_digits(published)


def test_bgnbd_reaches_the_published_log_likelihood(calibration: RfmSummary) -> None:
    fit = bgnbd.fit(calibration.frequency, calibration.recency, calibration.age)
    assert round(fit.log_likelihood, 1) == PUBLISHED_LOG_LIKELIHOOD
    at_published = bgnbd.log_likelihood(
        PUBLISHED_BGNBD, calibration.frequency, calibration.recency, calibration.age
    ).sum()
    assert at_published == pytest.approx(PUBLISHED_LOG_LIKELIHOOD, abs=0.05)
    assert fit.log_likelihood >= at_published  # the maximum, not just near it


@pytest.mark.parametrize(
    ("name", "published"),
    [("p", PUBLISHED_GAMMA_GAMMA.p), ("q", PUBLISHED_GAMMA_GAMMA.q),
     ("gamma", PUBLISHED_GAMMA_GAMMA.gamma)],
)  # fmt: skip
def test_gamma_gamma_reproduces_the_published_estimates(
    calibration: RfmSummary, name: str, published: float
) -> None:
    fit = gamma_gamma.fit(calibration.frequency, calibration.monetary)
    assert fit.customers == 946
    estimate = getattr(fit.parameters, name)
    assert _three_significant_digits(estimate) == _three_significant_digits(published)


def test_the_published_conditional_expectation_of_customer_one() -> None:
    """FHL 2005: x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in weeks 40-78."""
    expected = bgnbd.conditional_expected_purchases(
        PUBLISHED_BGNBD, 39.0, np.array([2.0]), np.array([30.43]), np.array([38.86])
    )
    assert round(float(expected[0]), 3) == 1.226


def _holdout_repeat_purchases(calibration: RfmSummary) -> np.ndarray:
    """Counted here, apart from the summary code: distinct purchase days in weeks 40-78."""
    days: dict[str, set[object]] = defaultdict(set)
    for customer, day, _ in read_sample():
        if CALIBRATION_END < day <= HOLDOUT_END:
            days[customer].add(day)
    return np.array([len(days[c]) for c in calibration.customer_ids], dtype=np.float64)


def test_holdout_weeks_40_to_78_predicted_against_actual(calibration: RfmSummary) -> None:
    fit = bgnbd.fit(calibration.frequency, calibration.recency, calibration.age)
    actual = _holdout_repeat_purchases(calibration)
    predicted = bgnbd.conditional_expected_purchases(
        fit.parameters, 39.0, calibration.frequency, calibration.recency, calibration.age
    )
    error = predicted.sum() / actual.sum() - 1.0
    print(
        f"\nCDNOW holdout, weeks 40-78, {len(calibration)} customers: "
        f"actual repeat purchases {actual.sum():.0f}, predicted {predicted.sum():.1f} "
        f"({error:+.1%})"
    )
    assert actual.sum() == 1882
    assert abs(error) < 0.15
    by_frequency = {
        x: (actual[calibration.frequency == x].mean(), predicted[calibration.frequency == x].mean())
        for x in range(7)
    }
    for x, (mean_actual, mean_predicted) in by_frequency.items():
        print(f"  x = {x}: actual {mean_actual:.2f} per customer, predicted {mean_predicted:.2f}")
    predicted_means = [mean for _, mean in by_frequency.values()]
    assert predicted_means == sorted(predicted_means)  # more purchases before, more after
