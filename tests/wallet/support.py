"""A programme with 5 % wallet cashback, and purchases, returns and spends driven directly."""

from __future__ import annotations

import itertools
from typing import Any

from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseResult,
    ReturnCommand,
    ReturnLineRequest,
    ReturnResult,
)
from loyalo.application.wallets import WalletService, WalletSpendCommand, WalletSpendResult
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.wallet.entries import StoredWalletEntry, WalletBalance

_receipts = itertools.count(1)

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
    command = PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="w1",
        receipt_id=f"W{next(_receipts)}",
        channel="pos",
        occurred_at=container.ctx.clock.now(),
        currency="PLN",
        total_minor=sum(line.total_minor for line in lines),
        lines=lines,
    )
    with container.ctx.uow() as uow:
        result = container.purchases.record(uow, command)
        uow.commit()
    return result


def give_back(container: Container, purchase_id: str, *lines: tuple[str, int]) -> ReturnResult:
    requested = tuple(ReturnLineRequest(sku, quantity) for sku, quantity in lines) or None
    with container.ctx.uow() as uow:
        result = container.purchases.record_return(uow, ReturnCommand(purchase_id, requested))
        uow.commit()
    return result


def spend(container: Container, member: Member, minor: int, ref: str) -> WalletSpendResult:
    with container.ctx.uow() as uow:
        result = WalletService(container.ctx).spend(
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
