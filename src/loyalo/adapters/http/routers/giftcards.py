"""Gift cards: sell or issue one, check its balance, load it, void it.

Paying with a gift card is part of the quote and the purchase
(``gift_cards`` in their bodies); a return refunds the cards that paid.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.giftcards import (
    GiftCardIssueIn,
    GiftCardLoadIn,
    GiftCardOut,
    GiftCardStatementOut,
    GiftCardVoidIn,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.writes import run_write
from loyalo.application.giftcards.service import IssueCommand
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal, Role
from loyalo.domain.giftcards.movements import MovementSource
from loyalo.domain.money import Money

router = APIRouter(prefix="/v1/gift-cards", tags=["gift cards"])


def _actor(caller: Principal) -> str:
    return f"apikey:{caller.key_id}"


@router.post(
    "",
    status_code=201,
    response_model=GiftCardOut,
    summary="Sell or issue a gift card (admin, pos)",
    description="The card holds `amount` in the programme currency. Send an `Idempotency-Key`: "
    "a retry returns the same card instead of issuing a second one.",
)
def issue(
    body: GiftCardIssueIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.GIFT_CARDS_ISSUE)
    channel = "pos" if caller.role is Role.POS else "admin"

    def action(uow: UnitOfWork) -> tuple[int, GiftCardOut]:
        currency = svc.ctx.terms_in(uow).currency
        command = IssueCommand(
            Money.parse(body.amount, currency).amount_minor,
            body.pin,
            body.valid_until,
            MovementSource(channel, body.store_id, reference=body.reference, actor=_actor(caller)),
        )
        return 201, GiftCardOut.of(svc.gift_cards.issue(uow, command))

    return run_write(request, svc, caller, body, action)


@router.get(
    "/{code}",
    response_model=GiftCardStatementOut,
    summary="A gift card's balance and movements (admin, pos)",
    description="A pos key must send the card's PIN, if it has one, in `X-Gift-Card-Pin`.",
)
def statement(
    code: str,
    svc: ServicesDep,
    caller: CallerDep,
    pin: Annotated[str | None, Header(alias="X-Gift-Card-Pin")] = None,
) -> GiftCardStatementOut:
    caller.require(Capability.GIFT_CARDS_READ)
    with svc.ctx.uow() as uow:
        if caller.role is not Role.ADMIN:
            svc.gift_cards.require_pin(uow, code, pin)
        return GiftCardStatementOut.of_statement(svc.gift_cards.statement(uow, code))


@router.post(
    "/{code}/load",
    response_model=GiftCardOut,
    summary="Add money to a gift card (admin)",
    description="Refused on a void or expired card.",
)
def load(
    code: str, body: GiftCardLoadIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.GIFT_CARDS_MANAGE)

    def action(uow: UnitOfWork) -> tuple[int, GiftCardOut]:
        currency = svc.ctx.terms_in(uow).currency
        amount = Money.parse(body.amount, currency).amount_minor
        source = MovementSource("admin", reference=body.reference, actor=_actor(caller))
        return 200, GiftCardOut.of(svc.gift_cards.load(uow, code, amount, source))

    return run_write(request, svc, caller, body, action)


@router.post(
    "/{code}/void",
    response_model=GiftCardOut,
    summary="Cancel a gift card (admin)",
    description="What was left on it is taken off; it can never pay, load or be refunded again.",
)
def void(
    code: str, body: GiftCardVoidIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    caller.require(Capability.GIFT_CARDS_MANAGE)

    def action(uow: UnitOfWork) -> tuple[int, GiftCardOut]:
        source = MovementSource("admin", reference=body.reason, actor=_actor(caller))
        return 200, GiftCardOut.of(svc.gift_cards.void(uow, code, source))

    return run_write(request, svc, caller, body, action)
