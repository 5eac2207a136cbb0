"""The settlement arithmetic: exact sums of points times prices, rounded once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import InvalidInput
from loyalo.domain.partners.partner import (
    RateChange,
    Rates,
    own_store,
    partner_store,
    rates_at,
)
from loyalo.domain.partners.settlement import Movement, SettlementItem, settle

T0 = datetime(2026, 3, 1, tzinfo=UTC)
T1 = T0 + timedelta(days=10)
ISSUED, BACK, REDEEMED = Movement.ISSUED, Movement.TAKEN_BACK, Movement.REDEEMED


def _rates(issue: str, redeem: str, earn: str = "1") -> Rates:
    return Rates(Decimal(earn), Decimal(issue), Decimal(redeem))


SCHEDULE = (RateChange(T0, _rates("0.05", "0.08")), RateChange(T1, _rates("0.0125", "0.0333")))


@pytest.mark.parametrize(
    ("items", "by_partner", "to_partner", "net"),
    [
        ([], 0, 0, 0),
        ([(ISSUED, 100, T0)], 500, 0, 500),
        ([(ISSUED, 100, T0), (BACK, 40, T0), (REDEEMED, 30, T0)], 300, 240, 60),
        ([(REDEEMED, 1000, T0)], 0, 8000, -8000),
        # a return of a sale issued under the old price credits that price back
        ([(ISSUED, 10, T1), (BACK, 10, T0)], -38, 0, -38),  # 0.125 - 0.50 = -0.375
        # rounded once per direction, half away from zero: 3 x 0.0125 = 0.0375
        ([(ISSUED, 1, T1), (ISSUED, 1, T1), (ISSUED, 1, T1)], 4, 0, 4),
        ([(ISSUED, 2, T1)], 3, 0, 3),  # 0.025 -> 0.03
        ([(BACK, 2, T1)], -3, 0, -3),  # -0.025 -> -0.03
        ([(REDEEMED, 97, T1), (REDEEMED, 50, T0)], 0, 723, -723),  # 3.2301 + 4.00
    ],
)
def test_settlement_amounts(
    items: list[tuple[Movement, int, datetime]], by_partner: int, to_partner: int, net: int
) -> None:
    settled = settle(
        "fuelco",
        "PLN",
        SCHEDULE,
        [SettlementItem(m, p, at) for m, p, at in items],
        T0,
        T1 + timedelta(days=1),
    )

    assert (settled.owed_by_partner_minor, settled.owed_to_partner_minor) == (
        by_partner,
        to_partner,
    )
    assert settled.net_minor == net
    assert settled.points_issued == sum(p for m, p, _ in items if m is ISSUED)
    assert settled.points_taken_back == sum(p for m, p, _ in items if m is BACK)
    assert settled.points_redeemed == sum(p for m, p, _ in items if m is REDEEMED)


def test_settlement_in_a_currency_without_minor_units() -> None:
    schedule = [RateChange(T0, _rates("0.5", "1.5"))]
    items = [SettlementItem(ISSUED, 3, T0), SettlementItem(REDEEMED, 3, T0)]

    settled = settle("p", "JPY", schedule, items, T0, T1)

    assert (settled.owed_by_partner_minor, settled.owed_to_partner_minor) == (2, 5)  # 1.5, 4.5


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Movement)),
            st.integers(min_value=1, max_value=10**9),
            st.sampled_from([T0, T1, T1 + timedelta(hours=1)]),
        ),
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_settlement_is_the_exact_sum_rounded_once_in_any_order(
    raw: list[tuple[Movement, int, datetime]], shuffle: object
) -> None:
    items = [SettlementItem(m, p, at) for m, p, at in raw]
    shuffled = list(items)
    shuffle.shuffle(shuffled)  # type: ignore[attr-defined]

    settled = settle("p", "PLN", SCHEDULE, items, T0, T1)
    again = settle("p", "PLN", SCHEDULE, shuffled, T0, T1)

    def exact(movement: Movement) -> Decimal:
        total = Decimal()
        for item in items:
            if item.movement is movement:
                rates = SCHEDULE[0].rates if item.priced_at < T1 else SCHEDULE[1].rates
                price = rates.redeem_price if movement is REDEEMED else rates.issue_price
                total += price * item.points
        return total

    def cents(amount: Decimal) -> int:
        return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))

    assert settled == again
    assert settled.owed_by_partner_minor == cents(exact(ISSUED) - exact(BACK))
    assert settled.owed_to_partner_minor == cents(exact(REDEEMED))
    assert settled.net_minor == settled.owed_by_partner_minor - settled.owed_to_partner_minor
    assert sum(line.points for line in settled.lines) == sum(i.points for i in items)


def test_the_rates_in_force_are_the_last_change_by_then() -> None:
    assert rates_at(SCHEDULE, T0) == SCHEDULE[0].rates
    assert rates_at(SCHEDULE, T1 - timedelta(microseconds=1)) == SCHEDULE[0].rates
    assert rates_at(list(reversed(SCHEDULE)), T1) == SCHEDULE[1].rates
    with pytest.raises(InvalidInput):
        rates_at(SCHEDULE, T0 - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("earn", "issue", "redeem"),
    [("-1", "0", "0"), ("1", "-0.01", "0"), ("1", "0", "0.0000001"), ("NaN", "0", "0")],
)
def test_rates_are_exact_and_not_negative(earn: str, issue: str, redeem: str) -> None:
    with pytest.raises(InvalidInput):
        Rates(Decimal(earn), Decimal(issue), Decimal(redeem))


def test_a_partners_store_ids_are_its_own() -> None:
    stored = partner_store("fuelco", "st-1")

    assert stored == "partner:fuelco/st-1"
    assert own_store("fuelco", stored) == "st-1"
    assert own_store("bookco", stored) == stored
    assert len(partner_store("fuelco", "x" * 49)) == 64
    for bad in ("x" * 50, "a/b", ""):
        with pytest.raises(InvalidInput):
            partner_store("fuelco", bad)
