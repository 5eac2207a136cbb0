"""Which card pays how much, and what a return gives back: exact tables and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import GiftCardInsufficientBalance, InvalidInput
from loyalo.domain.giftcards.allocation import Claim, allocate, refund_share

A, B, C = "A" * 16, "B" * 16, "C" * 16


def _claims(*balances: int) -> list[Claim]:
    return [
        Claim(code, balance, "PLN")
        for code, balance in zip((A, B, C)[: len(balances)], balances, strict=True)
    ]


@pytest.mark.parametrize(
    ("balances", "to_pay", "paid", "after", "left"),
    [
        # the issue: a 100.00 card on 115.00 -> card 0.00, 15.00 left to pay
        ((10000,), 11500, (10000,), (0,), 1500),
        # the issue: two 100.00 cards on 2 300.00 -> 2 100.00 left to pay
        ((10000, 10000), 230000, (10000, 10000), (0, 0), 210000),
        ((10000,), 5000, (5000,), (5000,), 0),
        ((10000,), 10000, (10000,), (0,), 0),
        ((3000, 5000), 6000, (3000, 3000), (0, 2000), 0),
        ((5000, 3000), 6000, (5000, 1000), (0, 2000), 0),  # the order given decides
        ((10000, 10000), 5000, (5000, 0), (5000, 10000), 0),  # nothing left for the second
        ((0, 2500), 4000, (0, 2500), (0, 0), 1500),
        ((1, 1, 1), 2, (1, 1, 0), (0, 0, 1), 0),
        ((10000,), 0, (0,), (10000,), 0),
        ((), 11500, (), (), 11500),
    ],
)
def test_cards_pay_in_order_each_the_least_of_balance_and_what_is_left(
    balances: tuple[int, ...], to_pay: int, paid: tuple[int, ...], after: tuple[int, ...], left: int
) -> None:
    tendered = allocate(_claims(*balances), to_pay)

    assert tuple(a.amount_minor for a in tendered.allocations) == paid
    assert tuple(a.balance_after_minor for a in tendered.allocations) == after
    assert tendered.left_to_pay_minor == left
    assert tendered.paid_minor == sum(paid)


@pytest.mark.parametrize(
    ("requested", "to_pay", "paid", "left"),
    [
        ((3000, None), 11500, (3000, 8500), 0),  # the first pays 30.00 only, the second the rest
        ((None, 1500), 11500, (10000, 1500), 0),  # the first leaves 15.00 for the second
        ((10000, 1500), 11500, (10000, 1500), 0),
        ((2500, 2500), 11500, (2500, 2500), 6500),
    ],
)
def test_a_card_asked_for_an_amount_pays_exactly_that(
    requested: tuple[int | None, ...], to_pay: int, paid: tuple[int, ...], left: int
) -> None:
    claims = [Claim(A, 10000, "PLN", requested[0]), Claim(B, 10000, "PLN", requested[1])]

    tendered = allocate(claims, to_pay)

    assert tuple(a.amount_minor for a in tendered.allocations) == paid
    assert tendered.left_to_pay_minor == left


def test_asking_more_than_the_card_holds_is_refused() -> None:
    with pytest.raises(GiftCardInsufficientBalance) as refused:
        allocate([Claim(A, 1000, "PLN", 3000)], 11500)
    assert refused.value.extensions == {
        "code": "AAAA-AAAA-AAAA-AAAA",
        "balance": "10.00",
        "requested": "30.00",
    }


@pytest.mark.parametrize(
    ("claims", "to_pay"),
    [
        ([Claim(A, 10000, "PLN", 5000)], 4000),  # more than is left to pay
        ([Claim(A, 10000, "PLN", 3000), Claim(B, 10000, "PLN", 2000)], 4000),
        ([Claim(A, 10000, "PLN", 0)], 4000),
        ([Claim(A, 10000, "PLN"), Claim(A, 10000, "PLN")], 4000),  # one card twice
    ],
)
def test_impossible_tenders_are_invalid(claims: list[Claim], to_pay: int) -> None:
    with pytest.raises(InvalidInput):
        allocate(claims, to_pay)


@pytest.mark.parametrize(
    ("paid", "total", "returns", "refunds"),
    [
        # 100.00 of a 115.00 receipt (lines 100.00 and 15.00): the 15.00 line back, then the rest
        (10000, 11500, (1500, 10000), (1304, 8696)),
        (10000, 11500, (11500,), (10000,)),  # all at once: exactly what it paid
        (10000, 230000, (115000, 115000), (5000, 5000)),
        (3333, 10000, (3333, 3333, 3334), (1110, 1111, 1112)),
        (1, 3, (1, 1, 1), (0, 0, 1)),  # never a minor unit more than it paid
        (0, 11500, (11500,), (0,)),
    ],
)
def test_a_return_refunds_each_card_its_share_of_the_value_returned(
    paid: int, total: int, returns: tuple[int, ...], refunds: tuple[int, ...]
) -> None:
    before, given = 0, []
    for value in returns:
        given.append(refund_share(paid, total, before, value))
        before += value

    assert tuple(given) == refunds
    assert sum(given) == paid


@given(
    balances=st.lists(st.integers(min_value=0, max_value=10**7), max_size=6),
    to_pay=st.integers(min_value=0, max_value=10**8),
)
def test_cards_never_pay_more_than_they_hold_or_than_is_due(
    balances: list[int], to_pay: int
) -> None:
    claims = [Claim(f"{i:016d}", b, "PLN") for i, b in enumerate(balances)]

    tendered = allocate(claims, to_pay)

    assert tendered.paid_minor + tendered.left_to_pay_minor == to_pay
    assert all(0 <= a.amount_minor <= a.balance_before_minor for a in tendered.allocations)
    assert tendered.left_to_pay_minor == 0 or all(
        a.balance_after_minor == 0 for a in tendered.allocations
    )


@given(
    paid=st.integers(min_value=0, max_value=10**7),
    parts=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8),
)
def test_returned_in_parts_a_card_gets_back_exactly_what_it_paid(
    paid: int, parts: list[int]
) -> None:
    total = max(sum(parts), paid)
    parts = [*parts[:-1], parts[-1] + total - sum(parts)]
    before, refunded = 0, 0
    for value in parts:
        share = refund_share(paid, total, before, value)
        assert share >= 0
        refunded += share
        before += value
        assert refunded <= paid

    assert refunded == paid
