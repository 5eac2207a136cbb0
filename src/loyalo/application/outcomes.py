"""Turning the engine's Outcome into ledger entries and remembered state.

Every award becomes its own journal entry whose provenance names the rule and
the programme version, so the ledger explains each point it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from loyalo.application import ledger_ops
from loyalo.application.context import new_id
from loyalo.application.effects import Effect
from loyalo.application.ports import IssuedReward, UnitOfWork
from loyalo.domain.ledger.journal import EntryKind, Provenance
from loyalo.domain.ledger.stored import ChainHead
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.outcome import Outcome, PointAward

OnIssued = Callable[[IssuedReward], Sequence[Effect]]
"""What an issued reward brings besides its record (a catalogue reward: its coupon)."""


@dataclass(frozen=True, slots=True)
class Source:
    """What caused the outcome: a purchase, a return or an event."""

    type: str
    id: str
    channel: str | None
    store_id: str | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Credited:
    head: ChainHead
    entry_ids: tuple[str, ...]
    effects: tuple[Effect, ...]


def credit_awards(
    uow: UnitOfWork,
    head: ChainHead,
    programme: CompiledProgramme,
    outcome: Outcome,
    source: Source,
    now: datetime,
    expires_at: datetime | None = None,
) -> Credited:
    # Only purchases wait for the return window; points for an event are spendable at once.
    pending_days = programme.document.pending_days if source.type == "purchase" else 0
    entry_ids: list[str] = []
    effects: list[Effect] = []
    for award in outcome.awards:
        head, entry_id, plan = ledger_ops.credit(
            uow,
            head,
            award.points,
            kind=EntryKind.EARN,
            pending_days=pending_days,
            provenance=_provenance(source, programme.version, award),
            occurred_at=source.occurred_at,
            now=now,
            expires_at=expires_at,
        )
        if entry_id is None or plan is None:
            continue
        entry_ids.append(entry_id)
        where = f", pending for {pending_days} days" if pending_days else ""
        effects.append(
            Effect(
                "points_earned",
                award.points,
                f"{award.description}{where}",
                entry_id,
                programme.version,
                award.rule_id,
            )
        )
        if plan.debt_settled:
            effects.append(
                Effect(
                    "debt_settled",
                    plan.debt_settled,
                    f"{plan.debt_settled} points settled an earlier debt",
                    entry_id,
                    programme.version,
                    award.rule_id,
                )
            )
    return Credited(head, tuple(entry_ids), tuple(effects))


def _provenance(source: Source, version: int, award: PointAward) -> Provenance:
    return Provenance(
        channel=source.channel,
        store_id=source.store_id,
        source_type=source.type,
        source_id=source.id,
        programme_version=version,
        rule_id=award.rule_id,
    )


def remember(
    uow: UnitOfWork,
    member_id: str,
    programme: CompiledProgramme,
    outcome: Outcome,
    source: Source,
    now: datetime,
    on_issued: OnIssued | None = None,
) -> tuple[Effect, ...]:
    """Count limited rules, spend budgets, stamp cards and issue rewards.

    ``on_issued`` gives what an issued reward brings besides its record (a catalogue
    reward's coupon: application/rewards/rule_rewards.py)."""
    for use in outcome.usage:
        uow.rules.add_usage(member_id, use.rule_id, use.bucket)
    for award in outcome.awards:
        if award.rule_id in programme.budgets:
            uow.rules.add_budget(award.rule_id, award.points)
    effects: list[Effect] = []
    rewards = [(issue.rule_id, issue.reward, issue.description) for issue in outcome.rewards]
    for stamp in outcome.stamps:
        stamped = uow.rules.add_stamps(member_id, stamp.card, stamp.stamps, stamp.goal, now)
        text = f"{stamp.stamps} stamps on the {stamp.card} card ({stamp.description})"
        if stamped.settled:
            text += f"; {stamped.settled} of them settle stamps a return took back"
        effects.append(Effect("stamps", 0, text, None, programme.version, stamp.rule_id))
        text = f"{stamp.goal} {stamp.card} stamps: {stamp.reward}"
        rewards.extend((stamp.rule_id, stamp.reward, text) for _ in range(stamped.completed))
    for rule_id, reward, description in rewards:
        issued = IssuedReward(
            new_id(), member_id, reward, rule_id, programme.version, source.type, source.id, now
        )
        uow.rules.issue_reward(issued)
        effects.append(
            Effect(
                "reward_issued",
                0,
                f"{reward} issued: {description}",
                None,
                programme.version,
                rule_id,
            )
        )
        if on_issued is not None:
            effects.extend(on_issued(issued))
    return tuple(effects)
