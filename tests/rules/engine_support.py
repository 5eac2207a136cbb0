"""Building programmes and baskets for engine tests in a few words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.compiled import CompiledProgramme, compile_programme
from loyalo.domain.programme.engine.event import evaluate_event
from loyalo.domain.programme.engine.facts import EventFacts, PurchaseFacts
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.purchases.basket import Line

SATURDAY_NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TUESDAY_NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

# The issue's basket: SKU 123 at 12.00 red, SKU 000 at 100.00 blue, delivery SKU 0001 at 40.00.
ISSUE_BASKET = (
    Line("123", 1, 1200, labels=("red",)),
    Line("000", 1, 10000, labels=("blue",)),
    Line("0001", 1, 4000, delivery=True),
)


def programme(**document: Any) -> CompiledProgramme:
    document.setdefault("earning", {"points": 0})
    return compile_programme(ProgrammeDocument.model_validate(document), version=7)


def quote(
    compiled: CompiledProgramme,
    lines: tuple[Line, ...] = ISSUE_BASKET,
    *,
    at: datetime = TUESDAY_NOON,
    tier: Tier | None = None,
    spent_minor: int = 0,
    usage: Mapping[tuple[str, str], int] | None = None,
    budget: Mapping[str, int] | None = None,
    channel: str = "store",
) -> Outcome:
    counts = usage or {}
    budgets = budget or {}
    facts = PurchaseFacts(
        lines=lines,
        at=at,
        member=MemberView(id="m1", tier=tier.id if tier else None),
        tier=tier,
        channel=channel,
        store="s1",
        spent_before_minor=spent_minor,
    )
    return evaluate_purchase(
        compiled, facts, lambda rule, bucket: counts.get((rule, bucket), 0), budgets.get
    )


def event(
    compiled: CompiledProgramme,
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    usage: Mapping[tuple[str, str], int] | None = None,
    at: datetime = TUESDAY_NOON,
) -> Outcome:
    counts = usage or {}
    facts = EventFacts(name, at, MemberView(id="m1"), attributes=attributes or {})
    return evaluate_event(
        compiled, facts, lambda rule, bucket: counts.get((rule, bucket), 0), {}.get
    )


def rule(effect: dict[str, Any], **fields: Any) -> dict[str, Any]:
    fields.setdefault("id", "r1")
    fields.setdefault("name", "rule under test")
    return {**fields, "effect": effect}
