"""What a purchase or an event adds to a challenge's progress, and when that completes it.

A goal's progress is a count (purchases, events, new categories) or money in
minor units (spend). Progress never passes the target: once it is reached the
challenge is complete, and that happens once per window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.programme.document.gamification import (
    Challenge,
    EventsGoal,
    NewCategoryGoal,
    PurchasesGoal,
    SpendGoal,
)
from loyalo.domain.programme.engine.arithmetic import units_to_minor
from loyalo.domain.programme.engine.views import SCOPE_NAMES, PurchaseScope, TimeView
from loyalo.domain.programme.expressions import CompiledExpression, compile_expression, condition_of
from loyalo.domain.purchases.basket import Line

Condition = Callable[[Mapping[str, object]], bool]


@dataclass(frozen=True, slots=True)
class Increment:
    """``amount`` counts as it is; each of ``distinct`` counts 1 the first time it is seen."""

    amount: int = 0
    distinct: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.amount and not self.distinct


NOTHING = Increment()


@dataclass(frozen=True, slots=True)
class PurchaseFact:
    lines: tuple[Line, ...]
    delivery: tuple[bool, ...]  # per line: a delivery charge, never goods
    scope: PurchaseScope  # what ``lines`` conditions read, as in rules


@dataclass(frozen=True, slots=True)
class EventFact:
    name: str
    scope: Mapping[str, object]  # what ``when`` and ``distinct`` read, as in rules


@dataclass(frozen=True, slots=True)
class Advance:
    progress: int  # after the increment, at most the target
    completed: bool  # this increment reached the target


def advance(progress: int, target: int, added: int) -> Advance:
    """Progress after ``added``; ``completed`` only for the increment that reaches the target."""
    if added < 0:
        raise ValueError("progress only moves forward")
    after = min(target, progress + added)
    return Advance(after, progress < target <= after)


def retreat(progress: int, taken: int) -> int:
    """Progress after a returned receipt takes back what it added (only while unfinished)."""
    if taken < 0:
        raise ValueError("a return takes back what was added")
    return max(0, progress - taken)


@dataclass(frozen=True, slots=True)
class CompiledChallenge:
    challenge: Challenge
    target: int  # a count, or minor units for a spend goal
    lines: Condition | None
    when: Condition | None
    distinct: CompiledExpression | None
    min_minor: int | None

    @property
    def id(self) -> str:
        return self.challenge.id

    def on_purchase(self, fact: PurchaseFact) -> Increment:
        goal = self.challenge.goal
        if isinstance(goal, EventsGoal):
            return NOTHING
        matching = [
            index
            for index, line in enumerate(fact.lines)
            if not fact.delivery[index]
            and (self.lines is None or self.lines(fact.scope.for_line(index)))
        ]
        if isinstance(goal, NewCategoryGoal):
            categories = {fact.lines[i].category for i in matching} - {None, ""}
            return Increment(distinct=tuple(sorted(c for c in categories if c)))
        amount = sum(fact.lines[index].total_minor for index in matching)
        if isinstance(goal, SpendGoal):
            return Increment(amount=max(0, amount))
        if not matching or (self.min_minor is not None and amount < self.min_minor):
            return NOTHING
        return Increment(amount=1)

    def on_event(self, fact: EventFact) -> Increment:
        goal = self.challenge.goal
        if not isinstance(goal, EventsGoal) or goal.event != fact.name:
            return NOTHING
        if self.when is not None and not self.when(fact.scope):
            return NOTHING
        if self.distinct is None:
            return Increment(amount=1)
        try:
            value = self.distinct(fact.scope)
        except Exception:  # as a rule's limit key: a value that cannot be computed is its own
            value = None
        return Increment(distinct=(str(value),))


def compile_challenge(challenge: Challenge, exponent: int) -> CompiledChallenge:
    goal = challenge.goal
    lines = getattr(goal, "lines", None)
    when = goal.when if isinstance(goal, EventsGoal) else None
    distinct = goal.distinct if isinstance(goal, EventsGoal) else None
    target = units_to_minor(goal.amount, exponent) if isinstance(goal, SpendGoal) else goal.count
    min_amount = goal.min_amount if isinstance(goal, PurchasesGoal) else None
    return CompiledChallenge(
        challenge=challenge,
        target=max(1, target),
        lines=_condition(lines),
        when=_condition(when),
        distinct=compile_expression(distinct, names=SCOPE_NAMES) if distinct else None,
        min_minor=units_to_minor(min_amount, exponent) if min_amount is not None else None,
    )


def _condition(source: str | None) -> Condition | None:
    return condition_of(compile_expression(source, names=SCOPE_NAMES)) if source else None


def event_scope(
    name: str,
    attributes: Mapping[str, object],
    member: object,
    tier: str | None,
    channel: str,
    local: datetime,
) -> dict[str, object]:
    """The scope an event rule's conditions see (domain/programme/engine/event.py)."""
    return {
        "basket": None,
        "member": member,
        "tier": tier,
        "channel": channel,
        "store": None,
        "time": TimeView.of(local),
        "event": {"name": name, **attributes},
        "trigger": "event",
    }
