"""The discounted lifetime value of each customer, from the two models together."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyalo.domain.analytics.clv import bgnbd, gamma_gamma
from loyalo.domain.analytics.clv.bgnbd import BgNbdFit, BgNbdParameters
from loyalo.domain.analytics.clv.gamma_gamma import GammaGammaFit, GammaGammaParameters
from loyalo.domain.analytics.clv.summary import FloatArray, RfmSummary
from loyalo.domain.errors import InvalidInput

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True, slots=True)
class ClvModel:
    purchases: BgNbdFit
    spend: GammaGammaFit


@dataclass(frozen=True, slots=True)
class ClvScores:
    """Per customer, in the summary's order: over the horizon, undiscounted purchases,
    P(alive) now, expected spend per purchase, and the discounted value."""

    expected_purchases: FloatArray
    probability_alive: FloatArray
    expected_spend: FloatArray
    value: FloatArray


def fit_model(summary: RfmSummary) -> ClvModel:
    """BG/NBD on every customer; Gamma-Gamma on the repeat buyers."""
    purchases = bgnbd.fit(summary.frequency, summary.recency, summary.age)
    spend = gamma_gamma.fit(summary.frequency, summary.monetary)
    return ClvModel(purchases, spend)


def score(
    model: ClvModel,
    summary: RfmSummary,
    horizon_months: int,
    monthly_discount: float,
    unit_days: float = 7.0,
) -> ClvScores:
    """CLV_i = Σ_{k=1..H} E[M_i] · (E[Y_i(k·τ)] - E[Y_i((k-1)·τ)]) / (1 + d)^k.

    H is ``horizon_months``, d the ``monthly_discount`` rate, τ one month (365.25/12
    days) in the model's time unit, E[Y_i(t)] the BG/NBD conditional expected purchases
    in the next t and E[M_i] the Gamma-Gamma conditional expected spend: the purchases
    expected in month k are valued at the customer's expected spend and discounted k
    months back to today.
    """
    if horizon_months < 1 or not 0.0 <= monthly_discount < 1.0:
        raise InvalidInput("the horizon is at least one month and the discount rate in [0, 1)")
    spend = gamma_gamma.conditional_expected_spend(
        model.spend.parameters, summary.frequency, summary.monetary
    )
    cumulative = _cumulative_purchases(
        model.purchases.parameters, summary, horizon_months, DAYS_PER_MONTH / unit_days
    )
    monthly = np.diff(cumulative, axis=1, prepend=0.0)
    factors = (1.0 + monthly_discount) ** -np.arange(1, horizon_months + 1, dtype=np.float64)
    alive = bgnbd.probability_alive(
        model.purchases.parameters, summary.frequency, summary.recency, summary.age
    )
    return ClvScores(cumulative[:, -1], alive, spend, spend * (monthly @ factors))


def _cumulative_purchases(
    params: BgNbdParameters, summary: RfmSummary, months: int, month: float
) -> FloatArray:
    """E[Y_i(k·τ)] for k = 1..months, one row per customer."""
    horizons = month * np.arange(1, months + 1, dtype=np.float64)
    return bgnbd.conditional_expected_purchases(
        params,
        horizons[np.newaxis, :],
        summary.frequency[:, np.newaxis],
        summary.recency[:, np.newaxis],
        summary.age[:, np.newaxis],
    )


__all__ = ["ClvModel", "ClvScores", "GammaGammaParameters", "fit_model", "score"]
