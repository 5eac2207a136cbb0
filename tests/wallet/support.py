"""A programme with 5 % wallet cashback, and purchases, returns and spends driven directly."""

from __future__ import annotations

from typing import Any

from loyalo.application.purchases import PurchaseResult
from loyalo.application.wallets import WalletSpendCommand, WalletSpendResult
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.wallet.entries import StoredWalletEntry, WalletBalance
from tests.programme.support import buy_lines, give_back

__all__ = ["give_back"]  # used by the wallet tests as it is

WALLET_CASHBACK: dict[str, Any] = {
    "currency": "PLN",
    "rules": [
        {
            "id": "wallet-5",
            "name": "5% back to the wallet",
            "effect": {"type": "cashback", "percent": 5, "credit": "wallet"},
        }
    ],
}

# The README's basket: 12.00 + 100.00 + 40.00 = 152.00; 5 % of it is 7.60
# (0.60, 5.00 and 2.00 line by line).
BASKET_152 = (Line("123", 1, 1200), Line("000", 1, 10000), Line("0001", 1, 4000))


def buy(container: Container, member: Member, *lines: Line) -> PurchaseResult:
    return buy_lines(container, member, *lines)


def spend(container: Container, member: Member, minor: int, ref: str) -> WalletSpendResult:
    with container.ctx.uow() as uow:
        result = container.wallets.spend(
            uow, WalletSpendCommand(f"id:{member.member_id}", minor, ref)
        )
        uow.commit()
    return result


def wallet(container: Container, member: Member) -> WalletBalance:
    with container.ctx.uow() as uow:
        return uow.wallets.balance(member.member_id)


def wallet_entries(container: Container, member: Member) -> list[StoredWalletEntry]:
    with container.ctx.uow() as uow:
        return list(uow.wallets.entries(member.member_id))
