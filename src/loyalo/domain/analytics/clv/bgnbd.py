"""The BG/NBD model of purchase frequency and drop-out (Fader, Hardie and Lee 2005).

Each customer buys at a Poisson rate λ ~ Gamma(r, alpha) while alive and, after any purchase,
drops out with probability p ~ Beta(a, b). From a customer's repeat frequency x, recency
t_x and age T, the model gives the likelihood, P(alive) and the expected purchases.
The expectations' closed forms are 0/0 at a = 1 and, without repeat purchases, at
a + b = 1: those limits are not evaluated (fits on real data land far from them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]  # no stubs shipped
from scipy.special import betaln, digamma, gammaln, hyp2f1  # type: ignore[import-untyped]

from loyalo.domain.analytics.clv.summary import FloatArray
from loyalo.domain.errors import ModelNotEstimable

_START = np.log(np.array([1.0, 1.0, 1.0, 1.0]))
NUDGE = 1e-7  # relative step in r where scipy has no formula at r itself (_one_minus_tail)


@dataclass(frozen=True, slots=True)
class BgNbdParameters:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True, slots=True)
class BgNbdFit:
    parameters: BgNbdParameters
    log_likelihood: float  # at the estimate, summed over customers
    customers: int


def log_likelihood(
    params: BgNbdParameters, frequency: FloatArray, recency: FloatArray, age: FloatArray
) -> FloatArray:
    """Each customer's log-likelihood (FHL 2005, equation 6, in logs for stability)."""
    value, _ = _log_likelihood_and_gradient(
        np.array([params.r, params.alpha, params.a, params.b]), frequency, recency, age
    )
    return value


def fit(
    frequency: FloatArray, recency: FloatArray, age: FloatArray, tolerance: float = 1e-10
) -> BgNbdFit:
    """Maximum likelihood on the log-parameters, with the analytic gradient.

    Customers with the same (x, t_x, T) share one likelihood term, so they are
    counted once and weighted.
    """
    if len(frequency) < 2 or not np.any(frequency > 0):
        raise ModelNotEstimable("BG/NBD needs at least two customers and one repeat purchase")
    rows, weights = np.unique(
        np.column_stack([frequency, recency, age]), axis=0, return_counts=True
    )
    x, t_x, t = rows[:, 0], rows[:, 1], rows[:, 2]
    total = float(weights.sum())

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        value, gradient = _log_likelihood_and_gradient(params, x, t_x, t)
        return -float(weights @ value) / total, -(weights @ gradient) * params / total

    result = minimize(objective, _START, jac=True, method="BFGS", options={"gtol": tolerance})
    if not np.all(np.isfinite(result.x)):
        raise ModelNotEstimable("BG/NBD fit did not converge")
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return BgNbdFit(BgNbdParameters(r, alpha, a, b), -float(result.fun) * total, len(frequency))


def _log_likelihood_and_gradient(
    params: FloatArray, x: FloatArray, t_x: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per-customer log-likelihood and its gradient in (r, alpha, a, b), one row per customer."""
    r, alpha, a, b = params
    repeat = x > 0
    x_minus = np.where(repeat, x - 1.0, 0.0)  # keeps betaln finite where the term is unused
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + t)
    a3 = np.where(
        repeat, betaln(a + 1.0, b + x_minus) - betaln(a, b) - (r + x) * np.log(alpha + t_x), -np.inf
    )
    a23 = np.logaddexp(a2, a3)
    w2, w3 = np.exp(a2 - a23), np.exp(a3 - a23)
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w2 * np.log(alpha + t)
        - w3 * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (w2 / (alpha + t) + w3 / (alpha + t_x))
    d_a = w2 * (psi_ab - psi_abx) + w3 * (digamma(a + 1.0) - digamma(a) + psi_ab - psi_abx)
    d_b = w2 * (digamma(b + x) - psi_abx - digamma(b) + psi_ab) + w3 * (
        digamma(b + x_minus) - psi_abx - digamma(b) + psi_ab
    )
    return a1 + a23, np.column_stack([d_r, d_alpha, d_a, d_b])


def probability_alive(
    params: BgNbdParameters, frequency: FloatArray, recency: FloatArray, age: FloatArray
) -> FloatArray:
    """P(alive | x, t_x, T).

    1 / (1 + [x > 0] · a / (b + x - 1) · ((alpha + T) / (alpha + t_x))^(r + x))
    """
    return np.exp(-_log_one_plus_dropout_odds(params, frequency, recency, age))


def expected_purchases(params: BgNbdParameters, horizon: FloatArray) -> FloatArray:
    """E[X(t)], the purchases of a new customer in its first t.

    (a+b-1)/(a-1) · [1 - (alpha/(alpha+t))^r · 2F1(r, b; a+b-1; t/(alpha+t))]
    """
    alpha, a, b = params.alpha, params.a, params.b
    t = np.asarray(horizon, dtype=np.float64)
    return np.asarray((a + b - 1.0) / (a - 1.0) * _one_minus_tail(params, t / (alpha + t), 0.0))


def conditional_expected_purchases(
    params: BgNbdParameters,
    horizon: float | FloatArray,
    frequency: FloatArray,
    recency: FloatArray,
    age: FloatArray,
) -> FloatArray:
    """E[Y(t) | x, t_x, T], the purchases in the next t (FHL 2005, equation 10).

    (a+b+x-1)/(a-1) · [1 - ((alpha+T)/(alpha+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    divided by 1 + [x > 0] · a/(b+x-1) · ((alpha+T)/(alpha+t_x))^(r+x).
    """
    a, b = params.a, params.b
    t = np.asarray(horizon, dtype=np.float64)
    z = t / (params.alpha + age + t)
    unconditional = (a + b + frequency - 1.0) / (a - 1.0) * _one_minus_tail(params, z, frequency)
    odds = _log_one_plus_dropout_odds(params, frequency, recency, age)
    return np.asarray(unconditional * np.exp(-odds))


def _one_minus_tail(params: BgNbdParameters, z: FloatArray, x: FloatArray | float) -> FloatArray:
    """1 - (1-z)^(r+x) · 2F1(r+x, b+x; a+b+x-1; z), through Euler's transformation.

    2F1(r+x, b+x; c; z) = (1-z)^(a-1-r-x) · 2F1(a+b-1-r, a-1; c; z), so the product is
    (1-z)^(a-1) · 2F1(a+b-1-r, a-1; a+b+x-1; z): no power underflows while the series
    overflows, for any x and horizon. Where c - a - b of the transformed series is an
    integer, scipy's hyp2f1 gives NaN, and the direct form is used there. Where both are
    integers (r = a and x = 0, say) and z is near 1, scipy has no formula for either: the
    function is smooth in r, so it is the mean of its values a relative 1e-7 either side
    (an error of the order of 1e-14, far below any figure shown).
    """
    tail = _tail(params.r, params.a, params.b, z, x)
    stuck = ~np.isfinite(tail)
    if stuck.any():
        nudge = params.r * NUDGE
        around = _tail(params.r + nudge, params.a, params.b, z, x)
        around = (around + _tail(params.r - nudge, params.a, params.b, z, x)) / 2.0
        tail = np.where(stuck, around, tail)
    return np.asarray(1.0 - tail)


def _tail(r: float, a: float, b: float, z: FloatArray, x: FloatArray | float) -> FloatArray:
    with np.errstate(invalid="ignore", over="ignore"):
        euler = (1.0 - z) ** (a - 1.0) * hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
        direct = (1.0 - z) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1.0, z)
    return np.asarray(np.where(np.isfinite(euler), euler, direct))


def _log_one_plus_dropout_odds(
    params: BgNbdParameters, x: FloatArray, t_x: FloatArray, t: FloatArray
) -> FloatArray:
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    repeat = x > 0
    safe = np.where(repeat, b + x - 1.0, 1.0)
    log_odds = np.log(a) - np.log(safe) + (r + x) * (np.log(alpha + t) - np.log(alpha + t_x))
    return np.asarray(np.where(repeat, np.logaddexp(0.0, log_odds), 0.0))
