"""One side of a backtest: a programme replayed over the history, in time order.

Per record the replay does what the live path does, in the same order:

* purchase: the tier the purchase gets, ``evaluate_purchase`` with the member's
  limit usage and the campaign budgets, then usage, budgets and stamps are
  remembered and the activity (what was paid, the points earned) is added;
* return: the points each rule gave the returned lines are taken back (the
  cumulative arithmetic of ``domain/purchases/returns.py``) and the activity
  goes down by what was paid for them;
* event: ``evaluate_event``, then the same bookkeeping as a purchase.

Records before ``start`` only build the state the period starts from, under
``before`` (the live programme) when given: the candidate takes over at
``start`` from the very state the live programme left. Records from ``start``
on are counted in ``figures``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from loyalo.domain.errors import DomainError
from loyalo.domain.programme.document.effects import Cashback
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.programme.engine.event import evaluate_event
from loyalo.domain.programme.engine.facts import EventFacts, PurchaseFacts
from loyalo.domain.programme.engine.limits import BudgetLeft
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.programme.engine.views import MemberView
from loyalo.domain.programme.simulation.activity import Activity
from loyalo.domain.programme.simulation.figures import SideFigures
from loyalo.domain.programme.simulation.history import (
    MemberFacts,
    PastEvent,
    PastPurchase,
    PastRecord,
    PastReturn,
)
from loyalo.domain.programme.simulation.tiers import TierRules, TierStep
from loyalo.domain.purchases.basket import Line
from loyalo.domain.purchases.returns import line_points_to_take_back, returned_lines, share_floor
from loyalo.domain.stamps import StampCard, add_stamps, take_back_stamps
from loyalo.domain.tiers.qualification import TierState

LineAmounts = tuple[tuple[int, str, int], ...]  # (line index, rule id, points or minor units)


@dataclass(frozen=True, slots=True)
class _Programme:
    compiled: CompiledProgramme
    tiers: TierRules | None
    zone: ZoneInfo
    cashback_rules: frozenset[str]
    budget_left: BudgetLeft

    def day(self, at: datetime) -> date:
        """The local day, in the programme's zone: what activity and windows count in."""
        return at.astimezone(self.zone).date()

    @classmethod
    def of(cls, compiled: CompiledProgramme, given: dict[str, int]) -> _Programme:
        document = compiled.document
        budgets = compiled.budgets

        def budget_left(rule_id: str) -> int | None:
            budget = budgets.get(rule_id)
            return None if budget is None else budget - given.get(rule_id, 0)

        return cls(
            compiled,
            TierRules.of(document),
            compiled.zone,
            frozenset(rule.id for rule in document.rules if isinstance(rule.effect, Cashback)),
            budget_left,
        )


@dataclass(slots=True)
class MemberState:
    facts: MemberFacts
    activity: Activity = field(default_factory=Activity)
    tier: TierState | None = None
    usage: dict[tuple[str, str], int] = field(default_factory=dict)
    stamps: dict[str, StampCard] = field(default_factory=dict)

    def used(self, rule_id: str, bucket: str) -> int:
        return self.usage.get((rule_id, bucket), 0)


@dataclass(slots=True)
class _Kept:
    """A replayed purchase that has returns to come: what they will take back."""

    member_id: str
    lines: tuple[Line, ...]
    total_minor: int
    paid_minor: int
    points: LineAmounts
    discounts: LineAmounts
    returns_left: int
    stamps: LineAmounts = ()  # stamps per (line, rule): a return takes back its units' stamps
    cards: dict[str, str] = field(default_factory=dict)  # stamp rule -> its card
    returned: dict[int, int] = field(default_factory=dict)  # line index -> units returned
    returned_value_minor: int = 0


def line_points_of(outcome: Outcome) -> LineAmounts:
    """Points per (line, rule), as ``PurchaseService`` stores them for returns."""
    result: dict[tuple[int, str], int] = defaultdict(int)
    for award in outcome.awards:
        for index, points in award.lines.items():
            result[index, award.rule_id] += points
        unattributed = award.points - sum(award.lines.values())
        if unattributed:  # nothing left to pay on any line: the first line carries it
            result[0, award.rule_id] += unattributed
    return tuple((index, rule, points) for (index, rule), points in sorted(result.items()))


def _view(facts: MemberFacts, tier: Tier | None, spent_minor: int, exponent: int) -> MemberView:
    """What conditions read about the member, as ``MemberView.of`` builds it live."""
    return MemberView(
        facts.member_id,
        tier.id if tier else None,
        facts.joined,
        facts.birth_date,
        facts.attributes,
        Decimal(spent_minor).scaleb(-exponent),
    )


def _line_discounts(outcome: Outcome) -> LineAmounts:
    return tuple(
        (index, discount.rule_id, minor)
        for discount in outcome.discounts
        for index, minor in sorted(discount.lines.items())
    )


class Replay:
    def __init__(
        self,
        programme: CompiledProgramme,
        *,
        start: datetime,
        members: Mapping[str, MemberFacts],
        returned: Mapping[str, int],
        before: CompiledProgramme | None = None,
    ) -> None:
        self.figures = SideFigures()
        self._start = start
        self._members = members
        self._returned = returned  # purchase id -> how many returns it has
        self._budgets_given: dict[str, int] = {}
        self._own = _Programme.of(programme, self._budgets_given)
        self._before = _Programme.of(before, self._budgets_given) if before else self._own
        self._states: dict[str, MemberState] = {}
        self._kept: dict[str, _Kept] = {}

    @property
    def programme(self) -> CompiledProgramme:
        return self._own.compiled

    def replay(self, record: PastRecord) -> None:
        if isinstance(record, PastPurchase):
            self.purchase(record)
        elif isinstance(record, PastReturn):
            self.return_(record)
        else:
            self.event(record)

    def purchase(self, purchase: PastPurchase) -> None:
        at = purchase.occurred_at
        counted = at >= self._start
        programme = self._own if counted else self._before
        day = programme.day(at)
        state = self._settled(purchase.member_id, at, day)
        tiers = programme.tiers
        tier = (
            tiers.for_purchase(state.tier, state.activity, day, purchase.total_minor)
            if tiers
            else None
        )
        facts = PurchaseFacts(
            lines=purchase.lines,
            at=at,
            member=_view(
                state.facts, tier, state.activity.spent_minor, programme.compiled.exponent
            ),
            tier=tier,
            channel=purchase.channel,
            store=purchase.store_id,
            spent_before_minor=state.activity.spent_minor,
            coupons=purchase.coupons,
        )
        outcome = evaluate_purchase(programme.compiled, facts, state.used, programme.budget_left)
        completed = self._remember(state, programme, outcome)
        if counted:
            figures = self.figures
            figures.purchases += 1
            figures.sales_minor += purchase.total_minor
            figures.add_outcome(outcome, programme.cashback_rules)
            for reward, times in completed:
                figures.rewards[reward] += times
        returns = self._returned.get(purchase.purchase_id)
        if returns:
            self._kept[purchase.purchase_id] = _Kept(
                purchase.member_id,
                purchase.lines,
                purchase.total_minor,
                outcome.net_total_minor,
                line_points_of(outcome),
                _line_discounts(outcome),
                returns,
                tuple(
                    (index, stamp.rule_id, count)
                    for stamp in outcome.stamps
                    for index, count in sorted(stamp.lines.items())
                ),
                {stamp.rule_id: stamp.card for stamp in outcome.stamps},
            )
        self._activity(state, programme, at, day, outcome.net_total_minor, outcome.points, counted)

    def return_(self, record: PastReturn) -> None:
        at = record.occurred_at
        counted = at >= self._start
        kept = self._kept.get(record.purchase_id)
        if kept is None:
            self.figures.returns_unmatched += counted
            return
        try:
            returned = returned_lines(kept.lines, kept.returned, record.line_quantities)
        except DomainError:  # more than the receipt had: nothing the live path would take
            self.figures.returns_unmatched += counted
            return
        programme = self._own if counted else self._before
        day = programme.day(at)
        state = self._settled(kept.member_id, at, day)
        quantities = [line.quantity for line in kept.lines]
        returning = {line.line_index: line.quantity for line in returned}
        points = line_points_to_take_back(kept.points, quantities, kept.returned, returning)
        points = {rule: back for rule, back in points.items() if back > 0}
        discounts = line_points_to_take_back(kept.discounts, quantities, kept.returned, returning)
        stamps = line_points_to_take_back(kept.stamps, quantities, kept.returned, returning)
        for rule_id, back in stamps.items():  # as the live return does (domain/stamps.py)
            card = kept.cards[rule_id]
            state.stamps[card] = take_back_stamps(state.stamps.get(card, StampCard()), back).card
        value = sum(line.value_minor for line in returned)
        before = kept.returned_value_minor
        paid_back = share_floor(kept.paid_minor, before + value, kept.total_minor) - share_floor(
            kept.paid_minor, before, kept.total_minor
        )
        for index, quantity in returning.items():
            kept.returned[index] = kept.returned.get(index, 0) + quantity
        kept.returned_value_minor += value
        kept.returns_left -= 1
        if kept.returns_left <= 0:
            del self._kept[record.purchase_id]
        if counted:
            self.figures.add_return(points, discounts)
        self._activity(state, programme, at, day, -paid_back, -sum(points.values()), counted)

    def event(self, event: PastEvent) -> None:
        at = event.occurred_at
        counted = at >= self._start
        programme = self._own if counted else self._before
        day = programme.day(at)
        state = self._settled(event.member_id, at, day)
        tiers = programme.tiers
        tier = tiers.for_purchase(state.tier, state.activity, day, 0) if tiers else None
        outcome = evaluate_event(
            programme.compiled,
            EventFacts(
                event.name,
                at,
                _view(state.facts, tier, state.activity.spent_minor, programme.compiled.exponent),
                tier,
                event.channel,
                event.attributes,
            ),
            state.used,
            programme.budget_left,
        )
        completed = self._remember(state, programme, outcome)
        if counted:
            self.figures.events += 1
            self.figures.add_outcome(outcome, programme.cashback_rules)
            for reward, times in completed:
                self.figures.rewards[reward] += times
        self._activity(state, programme, at, day, 0, outcome.points, counted)

    def finish(self, end: datetime) -> SideFigures:
        """Reviews due before ``end``, then every member's tier at the end."""
        tiers = self._own.tiers
        if tiers is None:
            return self.figures
        for member_id, state in self._states.items():
            self._review(state, end, inclusive=False)
            self.figures.end_tiers[member_id] = tiers.held(state.tier).id
        return self.figures

    # -- the member's state -------------------------------------------------------------

    def _settled(self, member_id: str, at: datetime, day: date) -> MemberState:
        """The member's state with the reviews due by ``at`` done."""
        state = self._states.get(member_id)
        if state is None:
            facts = self._members.get(member_id) or MemberFacts(member_id, at.date())
            state = self._states[member_id] = MemberState(facts)
            return state
        if state.tier is not None:
            self._review(state, at, inclusive=True)
        state.activity.forget_before(self._horizon(at, day))
        return state

    def _review(self, state: MemberState, until: datetime, *, inclusive: bool) -> None:
        """Every review due by ``until``, each at its date, under the programme then in force."""
        while state.tier is not None:
            due = state.tier.review_at
            if due is None or due > until or (due == until and not inclusive):
                return
            counted = due >= self._start
            tiers = (self._own if counted else self._before).tiers
            if tiers is None:
                return
            self._step(state, tiers.review(state.tier, state.activity, due), counted)

    def _activity(
        self,
        state: MemberState,
        programme: _Programme,
        at: datetime,
        day: date,
        spend_minor: int,
        points: int,
        counted: bool,
    ) -> None:
        state.activity.add(day, spend_minor, points)
        tiers = programme.tiers
        if tiers is not None:
            step = tiers.after_activity(state.tier, state.activity, at, day)
            self._step(state, step, counted)

    def _step(self, state: MemberState, step: TierStep, counted: bool) -> None:
        state.tier = step.state
        if counted and step.reason == "upgrade":
            self.figures.tier_upgrades += 1
        elif counted and step.reason == "downgrade":
            self.figures.tier_downgrades += 1

    def _horizon(self, at: datetime, day: date) -> date:
        """Days before this are in no tier window a programme still in use reads.

        ``day`` is in the zone of the programme in force; before the period the other
        programme may live in another zone, so a day more is kept.
        """
        one = at >= self._start or self._before is self._own
        in_use = (self._own,) if one else (self._own, self._before)
        first = day
        for programme in in_use:
            if programme.tiers is not None:
                window = programme.tiers.window_day(day)
                if window is None:
                    return date.min
                first = min(first, window)
        return first - timedelta(days=1) if len(in_use) > 1 else first

    def _remember(
        self, state: MemberState, programme: _Programme, outcome: Outcome
    ) -> list[tuple[str, int]]:
        """Usage, budgets and stamps (``application/outcomes.remember``); cards completed."""
        for use in outcome.usage:
            key = (use.rule_id, use.bucket)
            state.usage[key] = state.usage.get(key, 0) + 1
        budgets = programme.compiled.budgets
        for award in outcome.awards:
            if award.rule_id in budgets:
                given = self._budgets_given
                given[award.rule_id] = given.get(award.rule_id, 0) + award.points
        completed = []
        for stamp in outcome.stamps:
            stamped = add_stamps(
                state.stamps.get(stamp.card, StampCard()), stamp.stamps, stamp.goal
            )
            state.stamps[stamp.card] = stamped.card
            if stamped.completed:
                completed.append((stamp.reward, stamped.completed))
        return completed
