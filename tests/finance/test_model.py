"""The financial model on examples worked by hand, and its properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import InvalidInput
from loyalo.domain.finance.model import FinancialInputs, break_even_lift, project

D = Decimal

# member sales m = sales x share; cost rate c = earn x value x redemption;
# break-even lift L = (m c + F) / (m (g - c))
BREAK_EVEN = [
    # sales, share, earn, value, redemption, margin, fixed, expected lift
    ("100000", "0.5", "1", "0.10", "0.80", "0.28", "0", D("0.4")),  # 4000/10000
    ("100000", "0.5", "1", "0.10", "0.80", "0.28", "1000", D("0.5")),  # 5000/10000
    ("200000", "1", "2", "0.05", "0.50", "0.25", "5000", D("0.375")),  # 15000/40000
    ("100000", "0.5", "1", "0.10", "1", "0.10", "0", None),  # margin == cost rate
    ("100000", "0.5", "1", "0.10", "1", "0.05", "0", None),  # margin below cost rate
    ("0", "0.5", "1", "0.10", "1", "0.50", "0", None),  # no sales
]


@pytest.mark.parametrize(
    ("sales", "share", "earn", "value", "redemption", "margin", "fixed", "expected"), BREAK_EVEN
)
def test_break_even_lift(
    sales: str,
    share: str,
    earn: str,
    value: str,
    redemption: str,
    margin: str,
    fixed: str,
    expected: Decimal | None,
) -> None:
    inputs = FinancialInputs(
        monthly_sales=D(sales),
        member_share=D(share),
        earn_points_per_unit=D(earn),
        point_value=D(value),
        redemption_rate=D(redemption),
        gross_margin=D(margin),
        fixed_costs=D(fixed),
    )
    assert break_even_lift(inputs) == expected


def test_at_the_break_even_lift_roi_is_zero_and_sign_follows_the_lift() -> None:
    base = FinancialInputs(
        monthly_sales=D(100000),
        member_share=D("0.5"),
        point_value=D("0.10"),
        redemption_rate=D("0.80"),
        gross_margin=D("0.28"),
        fixed_costs=D(1000),
        incremental_lift=D("0.5"),
    )
    assert project(base).roi == 0
    below = project(replace(base, incremental_lift=D("0.4")))
    above = project(replace(base, incremental_lift=D("0.6")))
    assert below.roi is not None
    assert below.roi < 0
    assert above.roi is not None
    assert above.roi > 0
    assert project(base).break_even_sales == D(25000)


def test_one_month_by_hand() -> None:
    # 100 000 sales, 60% members, 10% lift: 66 000 points; opening 12 000 over 6 months
    # leaves 2 000 (1 600 redeemed, 400 expired); cost 66 000 x 0.10 x 0.8 + 2 000 fixed
    result = project(FinancialInputs(opening_liability=D(12000), months=1))
    (month,) = result.months
    assert month.member_sales == D(60000)
    assert month.incremental_sales == D(6000)
    assert month.points_issued == D(66000)
    assert (month.points_redeemed, month.points_expired) == (D(1600), D(400))
    assert month.closing_liability == D(76000)
    assert month.liability_value == D(7600)
    assert month.redeemed_value == D(160)
    assert month.cost_of_rewards == D(5280)
    assert month.incremental_margin == D(2100)
    assert result.cost == D(7280)
    assert result.roi == (D(2100) - D(7280)) / D(7280)


def test_breakage_is_what_is_not_redeemed_over_time() -> None:
    # no new points: the opening liability runs off, 80% redeemed, 20% expired
    result = project(FinancialInputs(monthly_sales=D(0), opening_liability=D(1000), months=120))
    redeemed = sum(m.points_redeemed for m in result.months)
    expired = sum(m.points_expired for m in result.months)
    assert abs(redeemed - D(800)) < D("0.001")
    assert abs(expired - D(200)) < D("0.001")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("member_share", D("1.1")),
        ("redemption_rate", D(-1)),
        ("gross_margin", D(2)),
        ("point_value", D(0)),
        ("months_to_redeem", D("0.5")),
        ("monthly_sales", D(-1)),
        ("incremental_lift", D("-0.1")),
        ("months", 0),
        ("months", 121),
    ],
)
def test_inputs_out_of_range_are_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        FinancialInputs(**{field: value})  # type: ignore[arg-type]
    assert refused.value.extensions["field"] == field


rates = st.decimals(min_value=0, max_value=1, places=3)
amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@given(
    sales=amounts,
    share=rates,
    redemption=rates,
    life=st.decimals(min_value=1, max_value=36, places=1),
    opening=amounts,
    months=st.integers(min_value=1, max_value=36),
)
def test_liability_never_negative_and_flows_add_up(
    sales: Decimal,
    share: Decimal,
    redemption: Decimal,
    life: Decimal,
    opening: Decimal,
    months: int,
) -> None:
    result = project(
        FinancialInputs(
            monthly_sales=sales,
            member_share=share,
            redemption_rate=redemption,
            months_to_redeem=life,
            opening_liability=opening,
            months=months,
        )
    )
    previous = opening
    for month in result.months:
        assert month.opening_liability == previous
        assert month.closing_liability >= 0
        assert month.points_redeemed >= 0
        assert month.points_expired >= 0
        change = month.points_issued - month.points_redeemed - month.points_expired
        assert month.closing_liability - month.opening_liability == change
        previous = month.closing_liability
