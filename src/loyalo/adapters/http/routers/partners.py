"""Partners: agreements and keys (admin); transactions and settlement (admin, or the
partner itself for its own id)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.partners import (
    PartnerIn,
    PartnerKeyIn,
    PartnerKeyOut,
    PartnerOut,
    PartnerPatch,
    SettlementOut,
    TransactionOut,
    TransactionsOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.partners.service import PartnerChange, PartnerDraft
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability

router = APIRouter(prefix="/v1/partners", tags=["partners"])

FromDay = Annotated[date, Query(alias="from", description="First day, programme time zone")]
ToDay = Annotated[date, Query(alias="to", description="Last day, included")]
Limit = Annotated[int, Query(ge=1, le=500)]
After = Annotated[int | None, Query(ge=0, description="next_after of the previous page")]


@router.post("", status_code=201, response_model=PartnerOut, summary="Add a partner (admin)")
def create_partner(
    body: PartnerIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.PARTNERS_MANAGE)
    draft = PartnerDraft(body.partner_id, body.name, body.currency.upper(), body.rates.to_rates())

    def action(uow: UnitOfWork) -> tuple[int, PartnerOut]:
        return 201, PartnerOut.of(svc.partners.create(uow, draft))

    return run_write(request, svc, caller, body, action)


@router.get("", response_model=list[PartnerOut], summary="Every partner (admin)")
def list_partners(svc: ServicesDep, caller: CallerDep) -> list[PartnerOut]:
    caller.require(Capability.PARTNERS_MANAGE)
    with svc.ctx.uow() as uow:
        return [PartnerOut.of(view) for view in svc.partners.all(uow)]


@router.get("/{partner_id}", response_model=PartnerOut, summary="A partner and its rates")
def get_partner(partner_id: str, svc: ServicesDep, caller: CallerDep) -> PartnerOut:
    caller.require_partner_reports(partner_id)
    with svc.ctx.uow() as uow:
        return PartnerOut.of(svc.partners.get(uow, partner_id))


@router.patch(
    "/{partner_id}",
    response_model=PartnerOut,
    summary="Rename, suspend or reactivate a partner, or change its rates from a date (admin)",
)
def change_partner(
    partner_id: str, body: PartnerPatch, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.PARTNERS_MANAGE)
    change = PartnerChange(
        name=body.name,
        status=body.status,
        rates=body.rates.to_rates() if body.rates else None,
        effective_from=body.effective_from,
    )

    def action(uow: UnitOfWork) -> tuple[int, PartnerOut]:
        return 200, PartnerOut.of(svc.partners.change(uow, partner_id, change))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/{partner_id}/keys",
    status_code=201,
    response_model=PartnerKeyOut,
    summary="An API key that acts for this partner only (admin)",
)
def create_partner_key(
    partner_id: str, body: PartnerKeyIn, svc: ServicesDep, caller: CallerDep
) -> PartnerKeyOut:
    caller.require(Capability.PARTNERS_MANAGE)
    issued = svc.partners.create_key(partner_id, body.name)
    return PartnerKeyOut(
        key_id=issued.record_id, name=body.name, partner_id=partner_id, key=issued.token
    )


@router.get(
    "/{partner_id}/transactions",
    response_model=TransactionsOut,
    summary="What the partner's tills recorded, oldest first",
)
def partner_transactions(
    partner_id: str,
    svc: ServicesDep,
    caller: CallerDep,
    from_day: Annotated[date | None, Query(alias="from")] = None,
    to_day: Annotated[date | None, Query(alias="to")] = None,
    limit: Limit = 100,
    after: After = None,
) -> TransactionsOut:
    caller.require_partner_reports(partner_id)
    return transactions_page(svc, partner_id, from_day, to_day, limit, after)


@router.get(
    "/{partner_id}/settlement",
    response_model=SettlementOut,
    summary="Points issued, taken back and redeemed, and what each side owes",
)
def partner_settlement(
    partner_id: str, from_day: FromDay, to_day: ToDay, svc: ServicesDep, caller: CallerDep
) -> SettlementOut:
    caller.require_partner_reports(partner_id)
    return settlement_of(svc, partner_id, from_day, to_day)


def transactions_page(
    svc: ServicesDep,
    partner_id: str,
    from_day: date | None,
    to_day: date | None,
    limit: int,
    after: int | None,
) -> TransactionsOut:
    with svc.ctx.uow() as uow:
        found = svc.partners.transactions(uow, partner_id, from_day, to_day, limit, after)
    items = [TransactionOut.of(tx) for tx in found]
    return TransactionsOut(items=items, next_after=items[-1].seq if len(items) == limit else None)


def settlement_of(svc: ServicesDep, partner_id: str, from_day: date, to_day: date) -> SettlementOut:
    with svc.ctx.uow() as uow:
        settlement = svc.partners.settlement(uow, partner_id, from_day, to_day)
    return SettlementOut.of(settlement, from_day, to_day)
