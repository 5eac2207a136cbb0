"""Named events from any channel: a review, a referral, a check-in, a birthday."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from loyalo.application import ledger_ops
from loyalo.application.context import AppContext, new_id
from loyalo.application.effects import Effect
from loyalo.application.gamification.listener import GamificationListener
from loyalo.application.members import resolve
from loyalo.application.outcomes import Source, credit_awards, remember
from loyalo.application.ports import StoredEvent, UnitOfWork
from loyalo.application.rewards.rule_rewards import RuleRewards
from loyalo.application.tiers import TierService
from loyalo.domain.errors import EventConflict, InvalidInput
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.expiry import lot_expires_at
from loyalo.domain.members.member import Member
from loyalo.domain.programme.engine.event import evaluate_event
from loyalo.domain.programme.engine.facts import EventFacts
from loyalo.domain.programme.engine.views import MemberView

MAX_ATTRIBUTES = 50
ENROLLED = "member_enrolled"


@dataclass(frozen=True, slots=True)
class EventCommand:
    member: str
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    channel: str = "app"
    occurred_at: datetime | None = None
    event_key: str | None = None  # the sender's id: the same key counts once


@dataclass(frozen=True, slots=True)
class EventResult:
    event: StoredEvent
    balance: MemberBalance
    effects: tuple[Effect, ...]
    replayed: bool


class EventService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._tiers = TierService(ctx)
        self._gamification = GamificationListener()
        self._rule_rewards = RuleRewards.of(ctx)

    def record(self, uow: UnitOfWork, command: EventCommand) -> EventResult:
        _check(command)
        member = resolve(uow, command.member)
        return self.record_for(uow, member, command)

    def record_for(self, uow: UnitOfWork, member: Member, command: EventCommand) -> EventResult:
        now = self._ctx.clock.now()
        occurred_at = command.occurred_at or now
        head = uow.ledger.lock(member.member_id)
        if command.event_key is not None:
            earlier = uow.rules.event_by_key(member.member_id, command.event_key)
            if earlier is not None:
                return self._resent(uow, earlier, command)
        head = ledger_ops.settle_member_timers(uow, head, now)
        programme = self._ctx.programmes.compiled(uow)
        document = programme.document
        standing = self._tiers.standing(uow, document, member.member_id, now, 0)
        tier = standing.tier
        spent = Decimal(standing.spent_minor).scaleb(-programme.exponent)  # member.spent
        facts = EventFacts(
            command.name,
            occurred_at,
            MemberView.of(member, tier.id if tier else None, spent),
            tier,
            command.channel,
            command.attributes,
        )
        member_id = member.member_id

        def budget_left(rule_id: str) -> int | None:
            budget = programme.budgets.get(rule_id)
            return None if budget is None else budget - uow.rules.lock_budget(rule_id)

        outcome = evaluate_event(
            programme,
            facts,
            lambda rule_id, bucket: uow.rules.usage_count(member_id, rule_id, bucket),
            budget_left,
        )
        event_id = new_id()
        source = Source("event", event_id, command.channel, None, occurred_at)
        expires_at = lot_expires_at(document.expiry, occurred_at, programme.zone)
        credited = credit_awards(uow, head, programme, outcome, source, now, expires_at)
        issuer = self._rule_rewards.issuer(uow, programme)
        effects = [
            *credited.effects,
            *remember(uow, member_id, programme, outcome, source, now, issuer),
        ]
        gamified = self._gamification.on_event(
            uow, credited.head, programme, facts, source, now, issuer
        )
        effects.extend(gamified.effects)
        stored = StoredEvent(
            event_id,
            member_id,
            command.event_key,
            command.name,
            dict(command.attributes),
            command.channel,
            occurred_at,
            now,
            programme.version,
            outcome.points,
        )
        uow.rules.add_event(stored)
        change = self._tiers.record_activity(
            uow,
            document,
            programme.version,
            member_id,
            occurred_at,
            spend_minor=0,
            points=outcome.points,
        )
        if change is not None:
            effects.append(Effect("tier_changed", 0, change.description, None, programme.version))
        effects.extend(
            Effect("not_applied", 0, f"{s.rule_id}: {s.reason}", None, programme.version, s.rule_id)
            for s in outcome.skipped
        )
        return EventResult(stored, gamified.head.balance, tuple(effects), replayed=False)

    def enrolled(self, uow: UnitOfWork, member: Member) -> None:
        """The welcome bonus: enrolment is the event ``member_enrolled``."""
        command = EventCommand(member.member_id, ENROLLED, channel="system", event_key=ENROLLED)
        self.record_for(uow, member, command)

    def _resent(self, uow: UnitOfWork, earlier: StoredEvent, command: EventCommand) -> EventResult:
        if earlier.name != command.name or earlier.attributes != dict(command.attributes):
            raise EventConflict(
                f"event {command.event_key} was recorded with different content",
                event_id=earlier.event_id,
            )
        effect = Effect(
            "duplicate_event", 0, "this event was already recorded; nothing was earned again"
        )
        return EventResult(earlier, uow.ledger.balance(earlier.member_id), (effect,), replayed=True)


def _check(command: EventCommand) -> None:
    name = command.name
    if not name or len(name) > 64 or not name.replace("_", "").isalnum() or not name.islower():
        raise InvalidInput("an event name is lower-case letters, digits and _", field="name")
    if len(command.attributes) > MAX_ATTRIBUTES:
        raise InvalidInput(f"at most {MAX_ATTRIBUTES} attributes", field="attributes")
