"""Purchases and events move challenge progress and streaks on, in their own transaction.

The purchase and event paths call this under the member's ledger lock, after
their own points, so a resent receipt or event (which returns before this is
reached) never counts again, and two purchases of one member never interleave.
A challenge completes once per window: its progress row's conditional update
says so, and the reward (points through the ledger, a badge held once, a
catalogue reward) is given in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from loyalo.application import ledger_ops
from loyalo.application.context import new_id
from loyalo.application.effects import Effect
from loyalo.application.gamification.ports import ChallengeProgress, Contribution
from loyalo.application.outcomes import OnIssued, Source
from loyalo.application.ports import IssuedReward, UnitOfWork
from loyalo.domain.gamification.progress import (
    CompiledChallenge,
    EventFact,
    Increment,
    PurchaseFact,
    advance,
    compile_challenge,
    event_scope,
    retreat,
)
from loyalo.domain.gamification.streaks import milestones_due, run_through
from loyalo.domain.gamification.windows import Window, week_start, window_at
from loyalo.domain.ledger.expiry import lot_expires_at
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.money import Money
from loyalo.domain.programme.document.gamification import (
    NewCategoryGoal,
    Prize,
    SpendGoal,
    Streaks,
)
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.facts import EventFacts, PurchaseFacts
from loyalo.domain.programme.engine.views import SCOPE_NAMES, PurchaseScope

CHALLENGE = "challenge"  # the source_type of a challenge's prize in the journal
STREAK = "streak"
PRIZE_SOURCES = (CHALLENGE, STREAK)


@dataclass(frozen=True, slots=True)
class Gamified:
    head: ChainHead  # the member's chain after any reward points
    effects: tuple[Effect, ...]


def compiled_challenges(programme: CompiledProgramme) -> tuple[CompiledChallenge, ...]:
    return tuple(
        compile_challenge(challenge, programme.exponent)
        for challenge in programme.document.challenges
    )


class GamificationListener:
    def __init__(self) -> None:
        self._compiled: dict[int, tuple[CompiledChallenge, ...]] = {}  # per programme version

    def challenges(self, programme: CompiledProgramme) -> tuple[CompiledChallenge, ...]:
        found = self._compiled.get(programme.version)
        if found is None:
            found = self._compiled[programme.version] = compiled_challenges(programme)
        return found

    def on_purchase(
        self,
        uow: UnitOfWork,
        head: ChainHead,
        programme: CompiledProgramme,
        facts: PurchaseFacts,
        source: Source,
        now: datetime,
        on_issued: OnIssued | None = None,
    ) -> Gamified:
        document = programme.document
        if not document.challenges and document.streaks is None:
            return Gamified(head, ())
        tier = facts.tier.id if facts.tier else None
        delivery = tuple(
            line.delivery or line.sku in programme.delivery_skus for line in facts.lines
        )
        fixed: dict[str, object] = {
            "member": facts.member,
            "tier": tier,
            "channel": facts.channel,
            "store": facts.store,
            "event": None,
            "trigger": "purchase",
        }
        local = facts.at.astimezone(programme.zone)
        scope = PurchaseScope(
            facts.lines,
            delivery,
            fixed,
            exponent=programme.exponent,
            local=local,
            reads=SCOPE_NAMES,
        )
        fact = PurchaseFact(facts.lines, delivery, scope)
        turn = _Turn(uow, programme, facts.member.id, source, now, head, on_issued)
        for challenge in self.challenges(programme):
            turn.progress(challenge, tier, challenge.on_purchase(fact))
        if document.streaks is not None:
            turn.streak(document.streaks)
        return Gamified(turn.head, tuple(turn.effects))

    def on_event(
        self,
        uow: UnitOfWork,
        head: ChainHead,
        programme: CompiledProgramme,
        facts: EventFacts,
        source: Source,
        now: datetime,
        on_issued: OnIssued | None = None,
    ) -> Gamified:
        if not programme.document.challenges:
            return Gamified(head, ())
        tier = facts.tier.id if facts.tier else None
        local = facts.at.astimezone(programme.zone)
        scope = event_scope(facts.name, facts.attributes, facts.member, tier, facts.channel, local)
        fact = EventFact(facts.name, scope)
        turn = _Turn(uow, programme, facts.member.id, source, now, head, on_issued)
        for challenge in self.challenges(programme):
            turn.progress(challenge, tier, challenge.on_event(fact))
        return Gamified(turn.head, tuple(turn.effects))

    def on_full_return(
        self,
        uow: UnitOfWork,
        programme: CompiledProgramme,
        purchase_id: str,
    ) -> tuple[Effect, ...]:
        """A receipt returned in full no longer counts towards unfinished challenges.

        A completed challenge keeps its prize: what the purchase added to it stays.
        """
        effects = []
        store = uow.gamification
        for contribution in store.take_contributions(purchase_id):
            stored = store.progress(
                contribution.member_id, contribution.challenge_id, contribution.window_key
            )
            if stored is None or stored.completed_at is not None:
                continue
            after = retreat(stored.progress, contribution.amount)
            store.save_progress(replace(stored, progress=after), stored.progress)
            store.forget_counted(
                contribution.member_id,
                contribution.challenge_id,
                contribution.window_key,
                contribution.items,
            )
            effects.append(
                Effect(
                    "challenge_progress",
                    0,
                    f"{contribution.challenge_id}: the returned receipt no longer counts, "
                    f"{after} of {stored.target}",
                    None,
                    programme.version,
                    f"{CHALLENGE}:{contribution.challenge_id}",
                )
            )
        return tuple(effects)


@dataclass
class _Turn:
    """One purchase's or event's gamification: progress, completions, streak, rewards."""

    uow: UnitOfWork
    programme: CompiledProgramme
    member_id: str
    source: Source
    now: datetime
    head: ChainHead
    on_issued: OnIssued | None  # a catalogue reward becomes its coupon
    effects: list[Effect] = field(default_factory=list)

    def progress(self, compiled: CompiledChallenge, tier: str | None, increment: Increment) -> None:
        challenge = compiled.challenge
        if increment.empty or (challenge.tiers and tier not in challenge.tiers):
            return
        window = window_at(challenge, self.source.occurred_at, self.programme.zone)
        if window is None:
            return
        store = self.uow.gamification
        stored = store.progress(self.member_id, challenge.id, window.key)
        if stored is not None and stored.completed_at is not None:
            return
        counted = self._first_seen(compiled, window, increment.distinct)
        added = increment.amount + len(counted)
        if not added:
            return
        target = stored.target if stored else compiled.target  # the goal the member started on
        before = stored.progress if stored else 0
        step = advance(before, target, added)
        at = self.source.occurred_at
        store.save_progress(
            ChallengeProgress(
                self.member_id,
                challenge.id,
                window.key,
                step.progress,
                target,
                window.opens,
                window.closes,
                at,
                at if step.completed else None,
                stored.programme_version if stored else self.programme.version,
            ),
            None if stored is None else before,
        )
        if self.source.type == "purchase":  # a full return may take it back while unfinished
            store.add_contribution(
                Contribution(
                    self.source.id, self.member_id, challenge.id, window.key, added, counted
                )
            )
        rule_id = f"challenge:{challenge.id}"
        shown = self._shown(compiled, step.progress), self._shown(compiled, target)
        self._note("challenge_progress", f"{challenge.name}: {shown[0]} of {shown[1]}", rule_id)
        if step.completed:
            text = f"challenge {challenge.name} completed"
            self._note("challenge_completed", text, rule_id)
            extra = {"challenge_id": challenge.id, "window": window.key}
            self._give(challenge.reward, CHALLENGE, challenge.id, text, extra)

    def _shown(self, compiled: CompiledChallenge, value: int) -> str:
        """A count as it is; a spend goal's minor units as money."""
        if isinstance(compiled.challenge.goal, SpendGoal):
            return str(Money(value, self.programme.document.currency))
        return str(value)

    def _first_seen(
        self, compiled: CompiledChallenge, window: Window, items: tuple[str, ...]
    ) -> tuple[str, ...]:
        """The items that count now: never counted in this window (nor bought before it)."""
        if not items:
            return ()
        if isinstance(compiled.challenge.goal, NewCategoryGoal):
            assert window.opens is not None  # the document requires a start for this goal
            before = self.uow.gamification.categories_bought_before(
                self.member_id, items, window.opens
            )
            items = tuple(item for item in items if item not in before)
        count_once = self.uow.gamification.count_once
        return tuple(
            item for item in items if count_once(self.member_id, compiled.id, window.key, item)
        )

    def streak(self, streaks: Streaks) -> None:
        store = self.uow.gamification
        week = week_start(self.source.occurred_at.astimezone(self.programme.zone).date())
        if not store.add_streak_week(self.member_id, week):
            return  # this week was counted already: no run grew
        if not streaks.milestones:
            return
        run = run_through(store.streak_weeks(self.member_id), week)
        by_weeks = {milestone.weeks: milestone for milestone in streaks.milestones}
        for weeks, reached in milestones_due(
            run, by_weeks, store.milestones_reached(self.member_id)
        ):
            store.add_milestone(self.member_id, weeks, reached, self.now)
            text = f"{weeks} weeks in a row with a purchase"
            self._note("streak_milestone", text, f"{STREAK}:{weeks}w")
            extra = {"weeks": weeks, "reached_week": reached.isoformat()}
            self._give(by_weeks[weeks], STREAK, f"{weeks}w", text, extra)

    def _give(self, prize: Prize, kind: str, what: str, text: str, extra: dict[str, Any]) -> None:
        rule_id = f"{kind}:{what}"
        if prize.points:
            self._credit(prize.points, kind, rule_id, text, extra)
        if prize.badge is not None:
            badge_source = f"{what}:{extra.get('window') or extra.get('reached_week')}"
            if self.uow.gamification.award_badge(
                self.member_id, prize.badge, self.now, kind, badge_source
            ):
                self._note("badge_awarded", f"badge {prize.badge}: {text}", rule_id)
        if prize.reward is not None:
            issued = IssuedReward(
                new_id(),
                self.member_id,
                prize.reward,
                what,
                self.programme.version,
                kind,
                self.source.id,
                self.now,
            )
            self.uow.rules.issue_reward(issued)
            self._note("reward_issued", f"{prize.reward} issued: {text}", rule_id)
            if self.on_issued is not None:
                self.effects.extend(self.on_issued(issued))

    def _credit(
        self, points: int, kind: str, rule_id: str, text: str, extra: dict[str, Any]
    ) -> None:
        source, programme = self.source, self.programme
        provenance = Provenance(
            channel=source.channel,
            store_id=source.store_id,
            source_type=kind,
            # its own id: a return of the purchase must not take these lots for the purchase's
            source_id=new_id(),
            programme_version=programme.version,
            rule_id=rule_id,
            extra={**extra, f"{source.type}_id": source.id},
        )
        expires_at = lot_expires_at(programme.document.expiry, source.occurred_at, programme.zone)
        self.head, entry_id, plan = ledger_ops.credit(
            self.uow,
            self.head,
            points,
            kind=EntryKind.EARN,
            pending_days=0,
            provenance=provenance,
            occurred_at=source.occurred_at,
            now=self.now,
            expires_at=expires_at,
        )
        self.effects.append(
            Effect("points_earned", points, text, entry_id, programme.version, rule_id)
        )
        if plan is not None and plan.debt_settled:
            self.effects.append(
                Effect(
                    "debt_settled",
                    plan.debt_settled,
                    f"{plan.debt_settled} points settled an earlier debt",
                    entry_id,
                    programme.version,
                    rule_id,
                )
            )

    def _note(self, kind: str, text: str, rule_id: str) -> None:
        self.effects.append(Effect(kind, 0, text, None, self.programme.version, rule_id))
