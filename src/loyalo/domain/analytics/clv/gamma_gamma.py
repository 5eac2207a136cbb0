"""The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee 2005, "RFM and CLV").

A customer's transaction values are Gamma(p, nu) around a mean p/nu; nu varies across
customers as Gamma(q, gamma). Fitted on repeat buyers from their repeat frequency x and mean
repeat value z̄; it gives the conditional expected spend per transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize  # type: ignore[import-untyped]  # no stubs shipped
from scipy.special import digamma, gammaln  # type: ignore[import-untyped]

from loyalo.domain.analytics.clv.summary import FloatArray
from loyalo.domain.errors import ModelNotEstimable

_START = np.zeros(3)


@dataclass(frozen=True, slots=True)
class GammaGammaParameters:
    p: float
    q: float
    gamma: float


@dataclass(frozen=True, slots=True)
class GammaGammaFit:
    parameters: GammaGammaParameters
    log_likelihood: float
    customers: int  # the repeat buyers it was fitted on


def log_likelihood(
    params: GammaGammaParameters, frequency: FloatArray, monetary: FloatArray
) -> FloatArray:
    """Each buyer's log-likelihood, the log of

    Γ(px+q) / (Γ(px)Γ(q)) · gamma^q · z̄^(px-1) · x^(px) / (gamma + x·z̄)^(px+q)
    """
    value, _ = _log_likelihood_and_gradient(
        np.array([params.p, params.q, params.gamma]), frequency, monetary
    )
    return value


def fit(frequency: FloatArray, monetary: FloatArray, tolerance: float = 1e-10) -> GammaGammaFit:
    """Maximum likelihood on the customers with x > 0 and z̄ > 0, on the log-parameters."""
    buyers = (frequency > 0) & (monetary > 0)
    if np.count_nonzero(buyers) < 2:
        raise ModelNotEstimable("Gamma-Gamma needs at least two repeat buyers")
    x, z = frequency[buyers], monetary[buyers]
    total = float(len(x))

    def objective(log_params: FloatArray) -> tuple[float, FloatArray]:
        params = np.exp(log_params)
        value, gradient = _log_likelihood_and_gradient(params, x, z)
        return -float(value.sum()) / total, -gradient.sum(axis=0) * params / total

    result = minimize(objective, _START, jac=True, method="BFGS", options={"gtol": tolerance})
    if not np.all(np.isfinite(result.x)):
        raise ModelNotEstimable("Gamma-Gamma fit did not converge")
    p, q, gamma = (float(v) for v in np.exp(result.x))
    return GammaGammaFit(GammaGammaParameters(p, q, gamma), -float(result.fun) * total, len(x))


def _log_likelihood_and_gradient(
    params: FloatArray, x: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    p, q, gamma = params
    px = p * x
    log_sum = np.log(gamma + x * z)
    value = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(z)
        + px * np.log(x)
        - (px + q) * log_sum
    )
    psi = digamma(px + q)
    d_p = x * (psi - digamma(px) + np.log(z) + np.log(x) - log_sum)
    d_q = psi - digamma(q) + np.log(gamma) - log_sum
    d_gamma = q / gamma - (px + q) / (gamma + x * z)
    return value, np.column_stack([d_p, d_q, d_gamma])


def conditional_expected_spend(
    params: GammaGammaParameters, frequency: FloatArray, monetary: FloatArray
) -> FloatArray:
    """E[M | x, z̄] = p · (gamma + x·z̄) / (p·x + q - 1): a weighted mean of the population's
    mean gammap/(q-1) and the customer's own z̄; the population's mean when x = 0."""
    p, q, gamma = params.p, params.q, params.gamma
    if q <= 1.0:
        raise ModelNotEstimable("Gamma-Gamma has no finite mean spend when q ≤ 1")
    x = np.where(monetary > 0, frequency, 0.0)
    return np.asarray(p * (gamma + x * monetary) / (p * x + q - 1.0))
