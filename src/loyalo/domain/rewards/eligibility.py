"""Whether a member may redeem a reward now, and every reason why not.

Pure: the caller gathers the member's facts and the reward's usage so far
(stock taken, this member's and everyone's redemptions in the current limit
periods) and this module decides. The store re-checks stock and limits with
conditional updates when the redemption is written, so a decision made on a
stale read can never oversell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.programme.engine.limits import period_key


class Refusal(StrEnum):
    NOT_ENOUGH_POINTS = "not-enough-points"
    TIER = "tier"
    FLAG = "flag"
    CHANNEL = "channel"
    NOT_YET_AVAILABLE = "not-yet-available"
    ENDED = "ended"
    OUT_OF_STOCK = "out-of-stock"
    MEMBER_LIMIT = "member-limit"
    PERIOD_LIMIT = "period-limit"


@dataclass(frozen=True, slots=True)
class Reason:
    refusal: Refusal
    detail: str


@dataclass(frozen=True, slots=True)
class MemberFacts:
    available_points: int
    tier: str | None
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Usage:
    """What has been taken so far: units of stock, and redemptions in the current buckets."""

    stock_taken: int = 0
    member_times: int = 0  # this member, in the per-member limit's current period
    total_times: int = 0  # everyone, in the total limit's current period


@dataclass(frozen=True, slots=True)
class Buckets:
    """The period each limit counts in at a moment (``2026-12``, ``2026-W49``, ``ever``)."""

    member: str | None
    total: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def affordable(self) -> bool:
        return all(r.refusal is not Refusal.NOT_ENOUGH_POINTS for r in self.reasons)

    @property
    def eligible(self) -> bool:
        """Everything but the points allows it."""
        return all(r.refusal is Refusal.NOT_ENOUGH_POINTS for r in self.reasons)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def refusals(self) -> tuple[Refusal, ...]:
        return tuple(r.refusal for r in self.reasons)


def buckets(reward: Reward, local: datetime) -> Buckets:
    limits = reward.limits
    member = period_key(limits.per_member.per, local) if limits.per_member else None
    total = period_key(limits.total.per, local) if limits.total else None
    return Buckets(member, total)


def decide(
    reward: Reward,
    member: MemberFacts,
    usage: Usage,
    now: datetime,
    zone: ZoneInfo,
    channel: str | None,
) -> Decision:
    """Every reason ``member`` may not redeem ``reward`` at ``now`` on ``channel``.

    ``channel`` None: a listing that is not on any one channel, so channels are not checked.
    """
    reasons = [
        *_who(reward, member, channel),
        *_when(reward, now, zone),
        *_how_many(reward, usage),
    ]
    if member.available_points < reward.points:
        missing = reward.points - member.available_points
        reasons.append(
            Reason(Refusal.NOT_ENOUGH_POINTS, f"costs {reward.points} points, {missing} missing")
        )
    return Decision(tuple(reasons))


def _who(reward: Reward, member: MemberFacts, channel: str | None) -> Iterable[Reason]:
    rules = reward.eligibility
    if rules.tiers and member.tier not in rules.tiers:
        yield Reason(Refusal.TIER, f"for tiers {', '.join(rules.tiers)}")
    if rules.flags and not member.flags & set(rules.flags):
        yield Reason(Refusal.FLAG, f"for members flagged {', '.join(rules.flags)}")
    if rules.channels and channel is not None and channel not in rules.channels:
        yield Reason(Refusal.CHANNEL, f"redeemed on {', '.join(rules.channels)} only")


def _when(reward: Reward, now: datetime, zone: ZoneInfo) -> Iterable[Reason]:
    window = reward.available
    if window.starts is not None and now < _aware(window.starts, zone):
        yield Reason(Refusal.NOT_YET_AVAILABLE, f"available from {window.starts.isoformat()}")
    if window.ends is not None and now >= _aware(window.ends, zone):
        yield Reason(Refusal.ENDED, f"ended at {window.ends.isoformat()}")


def _how_many(reward: Reward, usage: Usage) -> Iterable[Reason]:
    if reward.stock is not None and usage.stock_taken >= reward.stock:
        yield Reason(Refusal.OUT_OF_STOCK, "none left")
    limits = reward.limits
    if limits.per_member and usage.member_times >= limits.per_member.times:
        allowed = _limit_text(limits.per_member.times, limits.per_member.per)
        yield Reason(Refusal.MEMBER_LIMIT, f"at most {allowed} per member")
    if limits.total and usage.total_times >= limits.total.times:
        yield Reason(
            Refusal.PERIOD_LIMIT,
            f"all {_limit_text(limits.total.times, limits.total.per)} are taken",
        )


def _limit_text(times: int, per: Period) -> str:
    period = "in all" if per is Period.EVER else f"a {per.value}"
    return f"{times} {'time' if times == 1 else 'times'} {period}"


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
