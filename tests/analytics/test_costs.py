"""The analytics costs file: its example parses, and a cost is shared by the days it covers."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalo.domain.analytics.costs import Cost, CostKind, CostsDocument
from loyalo.domain.analytics.filters import Period

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/guide/analytics-costs.example.yaml"


def test_the_example_in_the_guide_is_a_valid_costs_file() -> None:
    costs = CostsDocument.model_validate(yaml.safe_load(EXAMPLE.read_text()))
    april = Period(date(2026, 4, 1), date(2026, 4, 30))
    assert str(costs.total(CostKind.PROGRAMME, april, "PLN")) == "3000.00"  # 30 days of 100.00
    assert str(costs.total(CostKind.ACQUISITION, april, "PLN")) == "1467.39"  # 30 of 92 days
    assert str(costs.total(CostKind.CAMPAIGN, april, "PLN", "product-review")) == "800.00"
    assert costs.campaign_rules() == ["product-review"]


SHARES = [
    # from, to of the cost; the period; amount; expected share
    ("2026-01-01", "2026-01-10", ("2026-01-01", "2026-01-10"), "10.00", "10.00"),
    ("2026-01-01", "2026-01-10", ("2026-01-06", "2026-01-31"), "10.00", "5.00"),
    ("2026-01-01", "2026-01-03", ("2026-01-02", "2026-01-02"), "1.00", "0.33"),
    ("2026-01-01", "2026-01-03", ("2026-01-02", "2026-01-03"), "1.00", "0.67"),
    ("2026-01-01", "2026-01-10", ("2026-02-01", "2026-02-28"), "10.00", "0.00"),
]


@pytest.mark.parametrize(("first", "last", "period", "amount", "share"), SHARES)
def test_a_cost_is_charged_the_share_of_its_days_in_the_period(
    first: str, last: str, period: tuple[str, str], amount: str, share: str
) -> None:
    cost = Cost.model_validate(
        {"name": "x", "kind": "programme", "amount": amount, "from": first, "to": last}
    )
    days = Period(date.fromisoformat(period[0]), date.fromisoformat(period[1]))
    assert str(cost.share_in(days, "PLN")) == share


@pytest.mark.parametrize(
    "wrong",
    [
        {"kind": "campaign"},  # a campaign without its rule
        {"kind": "programme", "rule": "base-rate"},
        {"kind": "programme", "from": "2026-02-01", "to": "2026-01-01"},
        {"kind": "programme", "amount": "-1.00"},
    ],
)
def test_a_wrong_cost_is_refused(wrong: dict[str, str]) -> None:
    base = {"name": "x", "amount": "1.00", "from": "2026-01-01", "to": "2026-01-31"}
    with pytest.raises(ValidationError):
        Cost.model_validate({**base, **wrong})


@given(
    amount_minor=st.integers(0, 10_000_000),
    days=st.integers(1, 400),
    cuts=st.lists(st.integers(1, 399), max_size=6, unique=True),
)
def test_the_shares_of_a_cost_over_consecutive_periods_add_up_to_it(
    amount_minor: int, days: int, cuts: list[int]
) -> None:
    """Each share is rounded on its own, so the parts may miss the whole by half a minor unit
    each, never more; a single period covering every day gets it exactly."""
    first = date(2026, 1, 1)
    last = first + timedelta(days=days - 1)
    amount = f"{amount_minor / 100:.2f}"
    cost = Cost.model_validate(
        {"name": "x", "kind": "programme", "amount": amount, "from": first, "to": last}
    )
    bounds = sorted({0, *(c for c in cuts if c < days), days})
    parts = [
        cost.share_in(
            Period(first + timedelta(days=a), first + timedelta(days=b - 1)), "PLN"
        ).amount_minor
        for a, b in itertools.pairwise(bounds)
    ]
    assert 2 * abs(sum(parts) - amount_minor) <= len(parts)
    assert cost.share_in(Period(first, last), "PLN").amount_minor == amount_minor
