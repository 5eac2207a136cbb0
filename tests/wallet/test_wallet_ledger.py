"""The money wallet on both engines: cashback in, returns take it back, spends pay a till.

The rules (docs/ARCHITECTURE.md, "The ledger"): a cashback rule with ``credit:
wallet`` credits money, one entry per rule naming the rule and version; a return
takes back the cashback of the returned units, line by line; money already spent
becomes a debt that the next cashback settles first; the wallet never goes below zero.
"""

from __future__ import annotations

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.effects import Effect
from loyalo.bootstrap.container import Container
from loyalo.domain.errors import InsufficientWallet
from loyalo.domain.purchases.basket import Line
from loyalo.domain.wallet.entries import WalletAccount, WalletBalance, WalletEntryKind
from tests.programme.support import apply, enrol
from tests.wallet.support import (
    BASKET_152,
    WALLET_CASHBACK,
    buy,
    give_back,
    spend,
    wallet,
    wallet_entries,
)


def _minor(effect: Effect) -> int | None:
    return effect.money.amount_minor if effect.money else None


def test_five_percent_on_152_credits_7_60_in_an_entry_naming_the_rule(
    container: Container,
) -> None:
    version = apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="wallet@example.pl")

    result = buy(container, member, *BASKET_152)

    (credited,) = [e for e in result.effects if e.kind == "cashback_credited"]
    assert _minor(credited) == 760
    assert (credited.rule_id, credited.programme_version) == ("wallet-5", version)
    assert wallet(container, member) == WalletBalance(760, 0)
    assert result.purchase.points_earned == 152  # points still earned at the base rate
    (entry,) = wallet_entries(container, member)
    assert entry.entry.kind is WalletEntryKind.CASHBACK
    assert entry.entry_id == credited.entry_id
    assert entry.entry.currency == "PLN"
    prov = entry.entry.provenance
    assert (prov.rule_id, prov.programme_version) == ("wallet-5", version)
    assert (prov.source_type, prov.source_id) == ("purchase", result.purchase.purchase_id)
    assert {p.account: p.amount_minor for p in entry.entry.postings} == {
        WalletAccount.CASHBACK_ISSUED: -760,
        WalletAccount.BALANCE: 760,
    }
    assert verify_ledger(container.ctx).ok


def test_a_full_return_takes_the_cashback_back(container: Container) -> None:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="full@example.pl")
    purchase = buy(container, member, *BASKET_152).purchase

    returned = give_back(container, purchase.purchase_id)

    (back,) = [e for e in returned.effects if e.kind == "cashback_returned"]
    assert _minor(back) == 760
    assert back.rule_id == "wallet-5"
    assert wallet(container, member) == WalletBalance(0, 0)
    kinds = [e.entry.kind for e in wallet_entries(container, member)]
    assert kinds == [WalletEntryKind.CASHBACK, WalletEntryKind.CASHBACK_RETURN]
    assert verify_ledger(container.ctx).ok


def test_a_partial_return_takes_back_the_returned_lines_share(container: Container) -> None:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="part@example.pl")
    purchase = buy(container, member, *BASKET_152).purchase

    give_back(container, purchase.purchase_id, ("000", 1))  # the 100.00 line gave 5.00

    assert wallet(container, member) == WalletBalance(260, 0)
    give_back(container, purchase.purchase_id)  # the rest: 0.60 + 2.00
    assert wallet(container, member) == WalletBalance(0, 0)
    assert verify_ledger(container.ctx).ok


def test_a_line_returned_unit_by_unit_gives_back_exactly_its_cashback(
    container: Container,
) -> None:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="units@example.pl")
    purchase = buy(container, member, Line("TEA", 3, 333)).purchase
    assert wallet(container, member) == WalletBalance(49, 0)  # 5 % of 9.99, rounded down

    taken = []
    for _ in range(3):
        before = wallet(container, member).balance_minor
        give_back(container, purchase.purchase_id, ("TEA", 1))
        taken.append(before - wallet(container, member).balance_minor)

    assert taken == [16, 16, 17]
    assert wallet(container, member) == WalletBalance(0, 0)


def test_money_spent_before_a_return_is_owed_and_the_next_cashback_settles_it(
    container: Container,
) -> None:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="debt@example.pl")
    purchase = buy(container, member, *BASKET_152).purchase
    spend(container, member, 500, "till-1")
    assert wallet(container, member) == WalletBalance(260, 0)

    returned = give_back(container, purchase.purchase_id)

    assert wallet(container, member) == WalletBalance(0, -500)
    (owed,) = [e for e in returned.effects if e.kind == "wallet_debt_recorded"]
    assert _minor(owed) == 500

    again = buy(container, member, *BASKET_152)

    assert wallet(container, member) == WalletBalance(260, 0)
    (settled,) = [e for e in again.effects if e.kind == "wallet_debt_settled"]
    assert _minor(settled) == 500
    last = wallet_entries(container, member)[-1].entry
    assert {p.account: p.amount_minor for p in last.postings} == {
        WalletAccount.CASHBACK_ISSUED: -760,
        WalletAccount.DEBT: 500,
        WalletAccount.BALANCE: 260,
    }
    assert verify_ledger(container.ctx).ok


def test_spending_more_than_the_wallet_is_refused_and_changes_nothing(
    container: Container,
) -> None:
    apply(container, **WALLET_CASHBACK)
    member = enrol(container, email="short@example.pl")
    buy(container, member, *BASKET_152)

    with pytest.raises(InsufficientWallet) as refused:
        spend(container, member, 761, "till-2")

    assert refused.value.extensions == {"available": "7.60", "requested": "7.61", "currency": "PLN"}
    assert wallet(container, member) == WalletBalance(760, 0)
    assert len(wallet_entries(container, member)) == 1
    spent = spend(container, member, 760, "till-3")
    assert spent.wallet == WalletBalance(0, 0)
    assert wallet_entries(container, member)[-1].entry.kind is WalletEntryKind.SPEND


def test_points_cashback_still_earns_points_and_leaves_the_wallet_alone(
    container: Container,
) -> None:
    points_rule = {**WALLET_CASHBACK["rules"][0], "effect": {"type": "cashback", "percent": 5}}
    apply(container, currency="PLN", rules=[points_rule])
    member = enrol(container, email="points@example.pl")

    result = buy(container, member, *BASKET_152)

    assert result.purchase.points_earned == 152 + 76
    assert not [e for e in result.effects if e.kind == "cashback_credited"]
    assert wallet(container, member) == WalletBalance(0, 0)
    assert wallet_entries(container, member) == []
