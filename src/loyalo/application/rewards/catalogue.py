"""The catalogue as a member sees it: each reward, whether they can afford it,
whether they may redeem it, and why not.

Read without locks: the decision shown is advice; the redemption decides again
under the member's lock and takes stock and limit slots conditionally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from loyalo.application.ports import UnitOfWork
from loyalo.application.rewards.ports import ALL_MEMBERS
from loyalo.application.tiers import TierService
from loyalo.domain.errors import RewardNotFound
from loyalo.domain.members.member import Member
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.rewards.eligibility import Buckets, Decision, MemberFacts, Usage, buckets, decide

FLAGS_ATTRIBUTE = "flags"
"""A member's segments: ``attributes.flags``, a list of strings set with PATCH /v1/members."""


@dataclass(frozen=True, slots=True)
class RewardView:
    reward: Reward
    stock_left: int | None  # None: unlimited
    decision: Decision | None  # None: no member asked about


def find_reward(programme: CompiledProgramme, reward_id: str) -> Reward:
    for reward in programme.document.rewards:
        if reward.id == reward_id:
            return reward
    raise RewardNotFound(f"no reward {reward_id} in programme version {programme.version}")


def member_flags(member: Member, tier_flags: Sequence[str]) -> frozenset[str]:
    """The member's own flags and their tier's: both segment the catalogue."""
    own = member.attributes.get(FLAGS_ATTRIBUTE)
    flags = {str(flag) for flag in own} if isinstance(own, list) else set()
    return frozenset(flags | set(tier_flags))


def member_facts(
    uow: UnitOfWork,
    tiers: TierService,
    programme: CompiledProgramme,
    member: Member,
    available_points: int,
    now: datetime,
) -> MemberFacts:
    tier = tiers.standing(uow, programme.document, member.member_id, now, 0).tier
    tier_flags = tier.benefits.flags if tier else []
    return MemberFacts(
        available_points, tier.id if tier else None, member_flags(member, tier_flags)
    )


def buckets_now(
    programme: CompiledProgramme, rewards: Sequence[Reward], now: datetime
) -> dict[str, Buckets]:
    local = now.astimezone(programme.zone)
    return {reward.id: buckets(reward, local) for reward in rewards}


def usage_of(
    uow: UnitOfWork,
    rewards: Sequence[Reward],
    member_id: str | None,
    by_reward: dict[str, Buckets],
) -> dict[str, Usage]:
    ids = [reward.id for reward in rewards]
    taken = uow.rewards.stock_taken([r.id for r in rewards if r.stock is not None])
    totals = uow.rewards.times(ids, ALL_MEMBERS, _present(by_reward, total=True))
    mine = uow.rewards.times(ids, member_id, _present(by_reward, total=False)) if member_id else {}
    return {i: Usage(taken.get(i, 0), mine.get(i, 0), totals.get(i, 0)) for i in ids}


def _present(by_reward: dict[str, Buckets], *, total: bool) -> dict[str, str]:
    chosen = {i: (b.total if total else b.member) for i, b in by_reward.items()}
    return {i: bucket for i, bucket in chosen.items() if bucket is not None}


def views(
    programme: CompiledProgramme,
    rewards: Sequence[Reward],
    usage: dict[str, Usage],
    facts: MemberFacts | None,
    now: datetime,
    channel: str | None,
) -> list[RewardView]:
    found = []
    for reward in rewards:
        used = usage[reward.id]
        left = None if reward.stock is None else max(reward.stock - used.stock_taken, 0)
        decision = decide(reward, facts, used, now, programme.zone, channel) if facts else None
        found.append(RewardView(reward, left, decision))
    return found
