"""Tiers at work: the tier a purchase gets, upgrades as activity arrives, reviews.

See domain/tiers/qualification.py for the rules. Every change is written to the
member's tier history with the metric that caused it and the programme version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from loyalo.application.context import AppContext, new_id
from loyalo.application.ports import ActivityTotals, TierHistoryEntry, UnitOfWork
from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.tiers import Tier, TierMetric, TierPolicy
from loyalo.domain.tiers.qualification import (
    TierState,
    by_id,
    rank,
    review_after,
    threshold_units,
    tier_for,
    window_start,
)


@dataclass(frozen=True, slots=True)
class TierChange:
    member_id: str
    from_tier: str | None
    to_tier: str
    reason: str
    metric: int

    @property
    def description(self) -> str:
        verb = "up to" if self.reason == "upgrade" else "down to"
        return f"tier {self.from_tier or 'none'} {verb} {self.to_tier}"


@dataclass(frozen=True, slots=True)
class Standing:
    tier: Tier | None  # the tier whose benefits apply
    spent_minor: int  # money spent before, net of returns, whatever the window


@dataclass(frozen=True, slots=True)
class TierStatus:
    tier: Tier | None
    state: TierState | None
    metric: int
    next_tier: Tier | None
    missing: int  # what the metric still needs for the next tier
    window_start: datetime | None = None  # the first moment the metric counts; None: lifetime


class TierService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def standing(
        self,
        uow: UnitOfWork,
        document: ProgrammeDocument,
        member_id: str,
        now: datetime,
        basket_spend_minor: int,
    ) -> Standing:
        """The tier whose benefits a purchase (or an event) gets, and the money spent before.

        With a money metric the purchase itself counts towards the tier. One read of the
        member's activity gives both.
        """
        totals = self._totals(uow, document, member_id, now)
        policy = document.tiers
        if policy is None:
            return Standing(None, totals.lifetime_spend_minor)
        held = self._held(uow, policy, member_id)
        if policy.metric is not TierMetric.MONEY_SPENT:
            return Standing(held, totals.lifetime_spend_minor)
        metric = totals.spend_minor + basket_spend_minor
        reached = tier_for(policy, metric, currency_exponent(document.currency))
        tier = max(held, reached, key=lambda tier: rank(policy, tier.id))
        return Standing(tier, totals.lifetime_spend_minor)

    def metric(
        self, uow: UnitOfWork, document: ProgrammeDocument, member_id: str, now: datetime
    ) -> int:
        policy = document.tiers
        if policy is None:
            return 0
        totals = self._totals(uow, document, member_id, now)
        if policy.metric is TierMetric.MONEY_SPENT:
            return totals.spend_minor
        return totals.points_earned

    def _totals(
        self, uow: UnitOfWork, document: ProgrammeDocument, member_id: str, now: datetime
    ) -> ActivityTotals:
        """The member's activity over the tier window (all of it without tiers)."""
        policy = document.tiers
        start = window_start(policy, now, ZoneInfo(document.timezone)) if policy else None
        since: date | None = start.date() if start else None
        return uow.activity.totals(member_id, since)

    def record_activity(
        self,
        uow: UnitOfWork,
        document: ProgrammeDocument,
        version: int,
        member_id: str,
        at: datetime,
        *,
        spend_minor: int,
        points: int,
    ) -> TierChange | None:
        zone = ZoneInfo(document.timezone)
        uow.activity.add(member_id, at.astimezone(zone).date(), at, spend_minor, points)
        policy = document.tiers
        if policy is None:
            return None
        metric = self.metric(uow, document, member_id, at)
        reached = tier_for(policy, metric, currency_exponent(document.currency))
        state = uow.tiers.get(member_id)
        if state is not None and rank(policy, reached.id) <= rank(policy, state.tier_id):
            if state.downgrade_at is not None and rank(policy, reached.id) == rank(
                policy, state.tier_id
            ):  # re-qualified during the grace: the downgrade is off
                uow.tiers.put(
                    member_id, TierState(state.tier_id, state.since, state.review_at), version
                )
            return None
        reason = "initial" if state is None else "upgrade"
        new_state = TierState(reached.id, at, review_after(policy, at, zone))
        return self._change(uow, member_id, state, new_state, reason, metric, version, at)

    def review(
        self,
        uow: UnitOfWork,
        document: ProgrammeDocument,
        version: int,
        member_id: str,
        now: datetime,
    ) -> TierChange | None:
        """At the review date: keep, start the grace, or downgrade once the grace is over."""
        policy = document.tiers
        state = uow.tiers.get(member_id)
        if policy is None or state is None or state.review_at is None or state.review_at > now:
            return None
        zone = ZoneInfo(document.timezone)
        metric = self.metric(uow, document, member_id, now)
        reached = tier_for(policy, metric, currency_exponent(document.currency))
        if rank(policy, reached.id) >= rank(policy, state.tier_id):
            renewed = TierState(state.tier_id, state.since, review_after(policy, now, zone))
            uow.tiers.put(member_id, renewed, version)
            return None
        if state.downgrade_at is None and policy.grace_days:
            grace = state.review_at + _days(policy.grace_days)
            uow.tiers.put(member_id, TierState(state.tier_id, state.since, grace, grace), version)
            return None
        lowered = TierState(reached.id, now, review_after(policy, now, zone))
        return self._change(uow, member_id, state, lowered, "downgrade", metric, version, now)

    def status(
        self, uow: UnitOfWork, document: ProgrammeDocument, member_id: str, now: datetime
    ) -> TierStatus:
        policy = document.tiers
        if policy is None:
            return TierStatus(None, None, 0, None, 0)
        state = uow.tiers.get(member_id)
        tier = by_id(policy, state.tier_id if state else None)
        metric = self.metric(uow, document, member_id, now)
        position = rank(policy, tier.id)
        following = policy.levels[position + 1] if position + 1 < len(policy.levels) else None
        exponent = currency_exponent(document.currency)
        missing = max(0, threshold_units(following, policy, exponent) - metric) if following else 0
        start = window_start(policy, now, ZoneInfo(document.timezone))
        return TierStatus(tier, state, metric, following, missing, start)

    def history(self, uow: UnitOfWork, member_id: str) -> list[TierHistoryEntry]:
        """The member's tier changes, the first one first."""
        return in_sequence(uow.tiers.history(member_id))

    def _held(self, uow: UnitOfWork, policy: TierPolicy, member_id: str) -> Tier:
        state = uow.tiers.get(member_id)
        return by_id(policy, state.tier_id if state else None)

    def _change(
        self,
        uow: UnitOfWork,
        member_id: str,
        before: TierState | None,
        after: TierState,
        reason: str,
        metric: int,
        version: int,
        at: datetime,
    ) -> TierChange:
        uow.tiers.put(member_id, after, version)
        from_tier = before.tier_id if before else None
        uow.tiers.add_history(
            TierHistoryEntry(
                new_id(), member_id, at, from_tier, after.tier_id, reason, metric, version
            )
        )
        return TierChange(member_id, from_tier, after.tier_id, reason, metric)


def _days(count: int) -> timedelta:
    return timedelta(days=count)


def in_sequence(entries: Sequence[TierHistoryEntry]) -> list[TierHistoryEntry]:
    """Tier changes in the order they were made: each starts from the tier the one before reached.

    The time of a change is the time of the purchase or event that caused it, and a till
    may send a sale late or stamp two receipts with the same second, so time alone does
    not order the history; the tiers do. Among changes that could come next, the earliest
    goes first; a change that continues nothing (a tier the programme renamed) waits for
    the chain to end.
    """
    left = sorted(entries, key=lambda e: e.at)
    ordered: list[TierHistoryEntry] = []
    while left:
        current = ordered[-1].to_tier if ordered else None
        follows = next((e for e in left if e.from_tier == current), left[0])
        left.remove(follows)
        ordered.append(follows)
    return ordered
