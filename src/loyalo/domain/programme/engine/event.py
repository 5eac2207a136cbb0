"""Evaluating a named event (a review, a referral, a birthday, any custom name)."""

from __future__ import annotations

from loyalo.domain.programme.document.effects import FixedPoints, IssueReward
from loyalo.domain.programme.document.rules import Stacking
from loyalo.domain.programme.engine import outcome as o
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.facts import EventFacts
from loyalo.domain.programme.engine.limits import (
    BudgetLeft,
    UsageCount,
    bucket_of,
    within_limit,
)
from loyalo.domain.programme.engine.views import TimeView


def evaluate_event(
    programme: CompiledProgramme, facts: EventFacts, usage: UsageCount, budget_left: BudgetLeft
) -> o.Outcome:
    local = facts.at.astimezone(programme.zone)
    tier = facts.tier.id if facts.tier else None
    scope = {
        "basket": None,
        "member": facts.member,
        "tier": tier,
        "channel": facts.channel,
        "store": None,
        "time": TimeView.of(local),
        "event": {"name": facts.name, **facts.attributes},
        "trigger": "event",
    }
    rules = programme.events.get(facts.name, ())  # by priority, then document order
    awards: list[o.PointAward] = []
    rewards: list[o.RewardIssue] = []
    used: list[o.Usage] = []
    skipped: list[o.Skipped] = []
    for rule in rules:
        spec = rule.rule
        if not rule.runs(local, tier):
            continue
        if rule.when is not None and not rule.when(scope):
            continue
        bucket = bucket_of(rule, local, scope)
        if not within_limit(rule, bucket, usage):
            skipped.append(o.Skipped(spec.id, "the member reached this rule's limit"))
            continue
        if isinstance(spec.effect, FixedPoints):
            points = spec.effect.points
            left = budget_left(spec.id) if rule.budget_points is not None else None
            if left is not None and left <= 0:
                skipped.append(o.Skipped(spec.id, "the campaign budget is spent"))
                continue
            capped = left is not None and points > left
            points = min(points, left) if left is not None else points
            awards.append(o.PointAward(spec.id, points, {}, spec.name, capped))
        elif isinstance(spec.effect, IssueReward):
            rewards.append(o.RewardIssue(spec.id, spec.effect.reward, spec.name))
        if bucket is not None:
            used.append(o.Usage(spec.id, bucket))
        if spec.stacking is Stacking.EXCLUSIVE:
            break
    return o.Outcome(
        version=programme.version,
        tier=tier,
        awards=tuple(awards),
        rewards=tuple(rewards),
        usage=tuple(used),
        skipped=tuple(skipped),
    )
