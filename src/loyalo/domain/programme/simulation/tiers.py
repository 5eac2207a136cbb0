"""Tier qualification over a replay, pure: the rules of ``application/tiers.py``.

* The tier a purchase gets is the tier held; with a money metric, the purchase
  itself counts towards it (``TierService.standing``).
* After every purchase, return and event the metric is read again and an upgrade
  happens at once; a member who re-qualifies during a grace keeps the tier.
* A downgrade waits for the review date; a review that finds a lower tier starts
  ``grace_days``, and the review at the end of the grace lowers the tier.

The live path reviews tiers when the job runs; a replay reviews each one at its
review date, before the member's next activity, and at the end of the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.tiers import Tier, TierMetric, TierPolicy, TierWindow
from loyalo.domain.programme.simulation.activity import Activity
from loyalo.domain.tiers.qualification import (
    TierState,
    add_months,
    review_after,
    threshold_units,
)


@dataclass(frozen=True, slots=True)
class TierStep:
    state: TierState | None
    reason: str | None = None  # initial, upgrade or downgrade when the tier changed


@dataclass(frozen=True, slots=True)
class TierRules:
    """A programme's tier policy, prepared once for a replay.

    Methods take the local day of ``at`` in the programme's zone (``day``) as well:
    the window depends on the day alone, so its first day is computed once per day.
    """

    policy: TierPolicy
    zone: ZoneInfo
    thresholds: tuple[int, ...]  # in the metric's units, one per level
    ranks: dict[str, int]
    _first_days: dict[date, date | None] = field(default_factory=dict)

    @classmethod
    def of(cls, document: ProgrammeDocument) -> TierRules | None:
        policy = document.tiers
        if policy is None:
            return None
        exponent = currency_exponent(document.currency)
        return cls(
            policy,
            ZoneInfo(document.timezone),
            tuple(threshold_units(tier, policy, exponent) for tier in policy.levels),
            {tier.id: index for index, tier in enumerate(policy.levels)},
        )

    @property
    def by_money(self) -> bool:
        return self.policy.metric is TierMetric.MONEY_SPENT

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def rank(self, tier_id: str | None) -> int:
        """Unknown ids (a tier another programme had) rank as the first level."""
        return self.ranks.get(tier_id, 0) if tier_id is not None else 0

    def held(self, state: TierState | None) -> Tier:
        return self.policy.levels[self.rank(state.tier_id if state else None)]

    def reached(self, value: int) -> Tier:
        """The highest level whose threshold ``value`` reaches (``tier_for``)."""
        index = 0
        for position, threshold in enumerate(self.thresholds):
            if value >= threshold:
                index = position
        return self.policy.levels[index]

    def window_day(self, day: date) -> date | None:
        """The first day that counts on ``day`` (``window_start``); None: lifetime."""
        try:
            return self._first_days[day]
        except KeyError:
            first = self._first_day(day)
            self._first_days[day] = first
            return first

    def _first_day(self, day: date) -> date | None:
        window = self.policy.window
        if window is TierWindow.LIFETIME:
            return None
        if window is TierWindow.CALENDAR_YEAR:
            return date(day.year, 1, 1)
        return add_months(datetime.combine(day, time()), -self.policy.months).date()

    def metric(self, activity: Activity, day: date) -> int:
        spend, points = activity.since(self.window_day(day))
        return spend if self.by_money else points

    def for_purchase(
        self, state: TierState | None, activity: Activity, day: date, basket_minor: int
    ) -> Tier:
        held = self.held(state)
        if not self.by_money:
            return held
        reached = self.reached(self.metric(activity, day) + basket_minor)
        return reached if self.rank(reached.id) > self.rank(held.id) else held

    def after_activity(
        self, state: TierState | None, activity: Activity, at: datetime, day: date
    ) -> TierStep:
        """Once the activity at ``at`` is added: an upgrade, or the grace called off."""
        reached = self.reached(self.metric(activity, day))
        if state is not None and self.rank(reached.id) <= self.rank(state.tier_id):
            if state.downgrade_at is not None and self.rank(reached.id) == self.rank(state.tier_id):
                return TierStep(TierState(state.tier_id, state.since, state.review_at))
            return TierStep(state)
        reason = "initial" if state is None else "upgrade"
        return TierStep(TierState(reached.id, at, review_after(self.policy, at, self.zone)), reason)

    def review(self, state: TierState, activity: Activity, now: datetime) -> TierStep:
        """At the review date: keep, start the grace, or lower the tier after the grace."""
        reached = self.reached(self.metric(activity, self.local_day(now)))
        if self.rank(reached.id) >= self.rank(state.tier_id):
            return TierStep(
                TierState(state.tier_id, state.since, review_after(self.policy, now, self.zone))
            )
        if state.downgrade_at is None and self.policy.grace_days and state.review_at is not None:
            grace = state.review_at + timedelta(days=self.policy.grace_days)
            return TierStep(TierState(state.tier_id, state.since, grace, grace))
        lowered = TierState(reached.id, now, review_after(self.policy, now, self.zone))
        return TierStep(lowered, "downgrade")
