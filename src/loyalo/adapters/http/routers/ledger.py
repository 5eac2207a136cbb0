"""Balances, ledger history and admin adjustments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.common import BalanceOut
from loyalo.adapters.http.schemas.ledger import (
    AdjustmentIn,
    AdjustmentOut,
    BalanceView,
    EntryOut,
    LedgerPage,
    WalletSpendIn,
    WalletSpendOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.http.writes import run_write
from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.application.wallets import WalletSpendCommand
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.money import Money

router = APIRouter(prefix="/v1/members", tags=["ledger"])


def balance_of(svc: HttpServices, caller: Principal, member: str) -> BalanceView:
    caller.require(Capability.BALANCE_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.BALANCE_READ, found.member_id)
        balance = uow.ledger.balance(found.member_id)
        wallet = uow.wallets.balance(found.member_id)
        terms = svc.ctx.terms_in(uow)
    return BalanceView(
        member_id=found.member_id,
        balance=BalanceOut.of(balance),
        point_name=terms.point_name,
        currency=terms.currency,
        wallet_balance=str(Money(wallet.balance_minor, terms.currency)),
        wallet_debt=str(Money(wallet.debt_minor, terms.currency)),
    )


def ledger_of(
    svc: HttpServices, caller: Principal, member: str, limit: int, before: int | None
) -> LedgerPage:
    caller.require(Capability.LEDGER_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.LEDGER_READ, found.member_id)
        entries = uow.ledger.history(found.member_id, limit, before)
    return LedgerPage(
        items=[EntryOut.of(e) for e in entries],
        next_before=entries[-1].seq if len(entries) == limit and entries[-1].seq > 1 else None,
    )


@router.get("/{member}/balance", response_model=BalanceView, summary="A member's balances")
def balance(member: str, svc: ServicesDep, caller: CallerDep) -> BalanceView:
    return balance_of(svc, caller, member)


@router.get(
    "/{member}/ledger", response_model=LedgerPage, summary="A member's ledger, newest first"
)
def ledger(
    member: str,
    svc: ServicesDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=1, description="Entries before this seq")] = None,
) -> LedgerPage:
    return ledger_of(svc, caller, member, limit, before)


@router.post(
    "/{member}/adjustments",
    status_code=201,
    response_model=AdjustmentOut,
    summary="Correct a balance, with a reason (admin; audited)",
)
def adjust(
    member: str, body: AdjustmentIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.ADJUSTMENTS_WRITE)
    command = AdjustmentCommand(member, body.points, body.reason, actor=f"apikey:{caller.key_id}")

    def action(uow: UnitOfWork) -> tuple[int, AdjustmentOut]:
        return 201, AdjustmentOut.of(svc.adjustments.adjust(uow, command))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/{member}/wallet/spend",
    status_code=201,
    response_model=WalletSpendOut,
    summary="Pay from the member's money wallet (admin, pos)",
    description="Refused with `/problems/insufficient-wallet` when the wallet holds less.",
)
def spend_wallet(
    member: str, body: WalletSpendIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.WALLET_SPEND)

    def action(uow: UnitOfWork) -> tuple[int, WalletSpendOut]:
        currency = svc.ctx.terms_in(uow).currency
        command = WalletSpendCommand(
            member,
            Money.parse(body.amount, currency).amount_minor,
            body.reference,
            actor=f"apikey:{caller.key_id}",
        )
        return 201, WalletSpendOut.of(svc.wallets.spend(uow, command))

    return run_write(request, svc, caller, body, action)
