"""Driving the application directly: apply a programme, enrol, buy, move the clock."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from loyalo.application.members import MemberDraft
from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseResult,
    ReturnCommand,
    ReturnLineRequest,
    ReturnResult,
)
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.purchases.basket import Line

_receipts = itertools.count(1)


def apply(container: Container, **document: Any) -> int:
    with container.ctx.uow() as uow:
        stored, _ = container.programmes.apply(
            uow, ProgrammeDocument.model_validate(document), source="test", actor="test"
        )
        uow.commit()
    return stored.version


def enrol(container: Container, **fields: Any) -> Member:
    with container.ctx.uow() as uow:
        member = container.members.enrol(uow, MemberDraft(**fields))
        uow.commit()
    return member


def buy(
    container: Container, member: Member, minor: int, at: datetime | None = None
) -> PurchaseResult:
    return buy_lines(container, member, Line("SKU", 1, minor), at=at)


def buy_lines(
    container: Container, member: Member, *lines: Line, at: datetime | None = None
) -> PurchaseResult:
    command = PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="s1",
        receipt_id=f"R{next(_receipts)}",
        channel="pos",
        occurred_at=at or container.ctx.clock.now(),
        currency="PLN",
        total_minor=sum(line.total_minor for line in lines),
        lines=lines,
    )
    with container.ctx.uow() as uow:
        result = container.purchases.record(uow, command)
        uow.commit()
    return result


def give_back(container: Container, purchase_id: str, *units: tuple[str, int]) -> ReturnResult:
    """Return ``(sku, quantity)`` units of a purchase; none named: the whole receipt."""
    requested = tuple(ReturnLineRequest(sku, quantity) for sku, quantity in units) or None
    with container.ctx.uow() as uow:
        result = container.purchases.record_return(uow, ReturnCommand(purchase_id, requested))
        uow.commit()
    return result


def tier_of(container: Container, member: Member) -> str | None:
    with container.ctx.uow() as uow:
        programme = container.ctx.programmes.compiled(uow)
        status = container.tiers.status(
            uow, programme.document, member.member_id, container.ctx.clock.now()
        )
    return status.tier.id if status.tier else None


def balance(container: Container, member: Member) -> tuple[int, int]:
    with container.ctx.uow() as uow:
        found = uow.ledger.balance(member.member_id)
    return found.available, found.pending
