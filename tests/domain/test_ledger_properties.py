"""The movement rules: every entry balances, no member balance goes negative."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.errors import CommitExceedsHold, InsufficientPoints
from loyalo.domain.ledger import movements
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import EntryKind, JournalEntry, Posting, Provenance
from loyalo.domain.ledger.lots import Lot, draw_oldest_first
from loyalo.domain.purchases.basket import Line
from loyalo.domain.purchases.returns import points_to_take_back, returned_lines

NOW = datetime(2026, 1, 1, tzinfo=UTC)
points = st.integers(min_value=0, max_value=10**9)
balances = st.builds(
    MemberBalance,
    available=points,
    pending=points,
    held=points,
    debt=st.integers(min_value=-(10**9), max_value=0),
)


def _entry(postings: tuple[Posting, ...]) -> JournalEntry:
    return JournalEntry(EntryKind.EARN, postings, Provenance(), NOW)


@given(balances, points, st.booleans())
def test_earning_balances_and_settles_debt_first(
    balance: MemberBalance, amount: int, pending: bool
) -> None:
    plan = movements.earn(balance, amount, pending=pending)
    assert sum(p.points for p in plan.postings) == 0
    after = balance.apply(_entry(plan.postings).member_deltas()) if plan.postings else balance
    assert after.is_valid()
    assert plan.debt_settled == min(amount, -balance.debt)
    assert plan.debt_settled + plan.credited == amount


@given(balances, points, points)
def test_a_clawback_never_drives_a_balance_negative(
    balance: MemberBalance, amount: int, own_pending: int
) -> None:
    plan = movements.clawback(balance, amount, own_pending)
    assert plan.from_pending + plan.from_available + plan.to_debt == amount
    if plan.postings:
        after = _entry(plan.postings).applied_to(balance)
        assert after.is_valid()
        assert after.debt == balance.debt - plan.to_debt


@given(balances, st.integers(min_value=1, max_value=10**9))
def test_a_hold_needs_available_points(balance: MemberBalance, amount: int) -> None:
    if amount > balance.available:
        with pytest.raises(InsufficientPoints):
            movements.hold(balance, amount)
    else:
        after = _entry(movements.hold(balance, amount)).applied_to(balance)
        assert (after.available, after.held) == (balance.available - amount, balance.held + amount)


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=2 * 10**6))
def test_a_commit_posts_at_most_the_hold_and_returns_the_rest(held: int, commit: int) -> None:
    if commit > held:
        with pytest.raises(CommitExceedsHold):
            movements.commit(held, commit)
        return
    postings = {p.account.value: p.points for p in movements.commit(held, commit)}
    assert postings["held"] == -held
    assert postings.get("redemption", 0) == commit
    assert postings.get("wallet", 0) == held - commit


def test_an_unbalanced_entry_cannot_be_built() -> None:
    from loyalo.domain.ledger.accounts import AccountKind
    from loyalo.domain.ledger.journal import UnbalancedEntry

    with pytest.raises(UnbalancedEntry):
        _entry((Posting(AccountKind.WALLET, 10), Posting(AccountKind.ISSUANCE, -9)))


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8), points)
def test_lots_are_drawn_oldest_first(sizes: list[int], wanted: int) -> None:
    lots = [
        Lot(f"l{i}", size, datetime(2026, 1, i + 1, tzinfo=UTC)) for i, size in enumerate(sizes)
    ]
    if wanted > sum(sizes):
        with pytest.raises(InsufficientPoints):
            draw_oldest_first(lots, wanted)
        return
    draws = draw_oldest_first(lots, wanted)
    assert sum(d.points for d in draws) == wanted
    taken = {d.lot_id: d.points for d in draws}
    drained = True
    for lot in lots:  # a newer lot is touched only when every older one is empty
        if lot.lot_id in taken and not drained:
            pytest.fail("a newer lot was drawn before an older one was empty")
        drained = drained and taken.get(lot.lot_id, 0) == lot.points_remaining


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 10_000), st.integers(0, 100)),
        min_size=1,
        max_size=5,
    ),
    st.integers(0, 100_000),
    st.randoms(use_true_random=False),
)
def test_returns_in_any_order_give_back_exactly_what_was_earned(
    specs: list[tuple[int, int, int]], earned: int, rng: object
) -> None:
    import random

    assert isinstance(rng, random.Random)
    lines = [Line(f"s{i}", q, p, min(d, q * p)) for i, (q, p, d) in enumerate(specs)]
    total = sum(line.total_minor for line in lines)
    earned = earned if total else 0  # a free basket earns nothing
    units = [i for i, line in enumerate(lines) for _ in range(line.quantity)]
    rng.shuffle(units)
    already: dict[int, int] = {}
    value_before = taken = 0
    for index in units:  # return one unit at a time, in a random order
        [returned] = returned_lines(lines, already, {index: 1})
        share = points_to_take_back(earned, total, value_before, returned.value_minor)
        assert share >= 0
        taken += share
        value_before += returned.value_minor
        already[index] = already.get(index, 0) + 1
        assert taken <= earned
    assert value_before == total
    assert taken == earned
