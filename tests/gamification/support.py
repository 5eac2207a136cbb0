"""Driving gamification through the application: programmes, purchases, events, reads."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from loyalo.application.events import EventCommand, EventResult
from loyalo.application.gamification.ports import ChallengeProgress
from loyalo.application.purchases import PurchaseCommand, PurchaseResult
from loyalo.bootstrap.container import Container
from loyalo.domain.ledger.stored import StoredEntry
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line

_receipts = itertools.count(1)


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def programme(**fields: Any) -> dict[str, Any]:
    """A programme without the base rate, so every point in a test comes from a prize."""
    return {"currency": "PLN", "earning": {"points": 0}, **fields}


def purchase_command(
    member: Member, when: datetime, *lines: Line, receipt: str | None = None
) -> PurchaseCommand:
    return PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="s1",
        receipt_id=receipt or f"G{next(_receipts)}",
        channel="pos",
        occurred_at=when,
        currency="PLN",
        total_minor=sum(line.total_minor for line in lines),
        lines=lines,
    )


def record(container: Container, command: PurchaseCommand) -> PurchaseResult:
    with container.ctx.uow() as uow:
        result = container.purchases.record(uow, command)
        uow.commit()
    return result


def buy(container: Container, member: Member, when: datetime, *lines: Line) -> PurchaseResult:
    return record(container, purchase_command(member, when, *lines))


def send(
    container: Container,
    member: Member,
    name: str,
    when: datetime,
    key: str | None = None,
    **attributes: Any,
) -> EventResult:
    command = EventCommand(
        f"id:{member.member_id}", name, attributes, occurred_at=when, event_key=key
    )
    with container.ctx.uow() as uow:
        result = container.events.record(uow, command)
        uow.commit()
    return result


def progress(container: Container, member: Member) -> dict[tuple[str, str], ChallengeProgress]:
    with container.ctx.uow() as uow:
        rows = uow.gamification.member_progress(member.member_id)
    return {(row.challenge_id, row.window_key): row for row in rows}


def prize_entries(container: Container, member: Member) -> list[StoredEntry]:
    """The member's journal entries that challenges and streaks wrote, oldest first."""
    with container.ctx.uow() as uow:
        entries = uow.ledger.history(member.member_id, 1000, None)
    found = [e for e in entries if e.entry.provenance.source_type in ("challenge", "streak")]
    return sorted(found, key=lambda e: e.seq)


def kinds(effects: Any) -> list[str]:
    return [effect.kind for effect in effects]
