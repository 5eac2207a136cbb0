"""Paid memberships at work: a payment activates or renews, a cancel stops renewals,
the grace passing lapses; the benefits of the plan active at a purchase apply to it.

The caller takes the payment and tells Loyalo about it: ``paid_at``, the amount and
its ``payment_reference``. A reference records one payment, for good: sent again with
the same content it returns the original result and pays nothing twice; with other
content it is refused. Every write runs under the member's ledger lock, so one
member's payments, cancellations and purchases are serialised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from loyalo.application.context import AppContext, new_id
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    MembershipConflict,
    MembershipFeeMismatch,
    MembershipNotFound,
    MembershipPlanNotFound,
    PaymentReferenceConflict,
)
from loyalo.domain.memberships.subscription import (
    Change,
    MembershipEvent,
    MembershipStatus,
    Subscription,
    cancel,
    lapse,
    pay,
)
from loyalo.domain.money import Money
from loyalo.domain.programme.document.memberships import MembershipPlan
from loyalo.domain.programme.engine.arithmetic import units_to_minor
from loyalo.domain.programme.engine.compiled import CompiledProgramme

CLOCK_SKEW = timedelta(minutes=5)  # a payment terminal's clock may run a little ahead


@dataclass(frozen=True, slots=True)
class PaymentCommand:
    member: str
    plan_id: str
    amount_minor: int
    currency: str
    paid_at: datetime
    payment_reference: str
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class MembershipResult:
    member_id: str
    subscription: Subscription
    event: MembershipEvent  # what this call wrote (or, replayed, what the first call wrote)
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Standing:
    """A subscription as it is on a day."""

    subscription: Subscription
    plan: MembershipPlan | None  # None: the programme in force no longer has the plan
    status: MembershipStatus
    gives_benefits: bool
    in_grace: bool
    currency: str  # the programme's: the plan's fee and prices are in it


@dataclass(frozen=True, slots=True)
class MembershipsView:
    member_id: str
    today: date
    standings: tuple[Standing, ...]
    history: tuple[MembershipEvent, ...]  # oldest first

    @property
    def active(self) -> Standing | None:
        return next((s for s in self.standings if s.gives_benefits), None)


def local_day(programme: CompiledProgramme, at: datetime) -> date:
    return at.astimezone(programme.zone).date()


class MembershipService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def pay(self, uow: UnitOfWork, command: PaymentCommand) -> MembershipResult:
        """Activate the plan, or renew it from the end of the paid periods."""
        programme = self._ctx.programmes.compiled(uow)
        member_id = resolve(uow, command.member).member_id
        uow.ledger.lock(member_id)  # serialises this member's writes
        earlier = uow.memberships.event_by_reference(command.payment_reference)
        if earlier is not None:
            return self._resent(uow, earlier, member_id, command)
        plan = _plan(programme, command.plan_id)
        now = self._ctx.clock.now()
        _check_payment(programme, plan, command, now)
        day = local_day(programme, command.paid_at)
        _refuse_other_plan(uow, programme, member_id, plan.id, day)
        current = uow.memberships.get(member_id, plan.id)
        if current is not None:
            self._record_lapse(uow, current, day, now, programme.version)
        subscription, change = pay(current, member_id, plan, day)
        uow.memberships.put(subscription, now, programme.version)
        event = MembershipEvent(
            event_id=new_id(),
            member_id=member_id,
            plan_id=plan.id,
            change=change,
            recorded_at=now,
            effective_on=day,
            starts_on=subscription.starts_on,
            ends_on=subscription.ends_on,
            amount_minor=command.amount_minor,
            currency=command.currency,
            paid_at=command.paid_at,
            payment_reference=command.payment_reference,
            programme_version=programme.version,
            actor=command.actor,
        )
        uow.memberships.add_event(event)
        return MembershipResult(member_id, subscription, event)

    def cancel(
        self, uow: UnitOfWork, member: str, plan_id: str, actor: str | None = None
    ) -> MembershipResult:
        """No more renewals; the benefits last to the end of the paid period."""
        programme = self._ctx.programmes.compiled(uow)
        member_id = resolve(uow, member).member_id
        uow.ledger.lock(member_id)
        current = uow.memberships.get(member_id, plan_id)
        if current is None:
            raise MembershipNotFound(f"the member never held {plan_id}", plan=plan_id)
        now = self._ctx.clock.now()
        today = local_day(programme, now)
        cancelled = cancel(current, today)
        uow.memberships.put(cancelled, now, programme.version)
        event = _status_event(cancelled, Change.CANCELLED, now, today, programme.version, actor)
        uow.memberships.add_event(event)
        return MembershipResult(member_id, cancelled, event)

    def lapse_due(self, uow: UnitOfWork, member_id: str, plan_id: str, now: datetime) -> bool:
        """The lapse job for one subscription: recorded once, on the day the grace ended."""
        programme = self._ctx.programmes.compiled(uow)
        uow.ledger.lock(member_id)
        current = uow.memberships.get(member_id, plan_id)
        if current is None:
            return False
        return self._record_lapse(uow, current, local_day(programme, now), now, programme.version)

    def view(self, uow: UnitOfWork, member_id: str) -> MembershipsView:
        """Every plan the member held, as it stands today, and the whole history."""
        programme = self._ctx.programmes.compiled(uow)
        today = local_day(programme, self._ctx.clock.now())
        standings = tuple(
            standing_of(programme, subscription, today)
            for subscription in uow.memberships.of_member(member_id)
        )
        history = tuple(uow.memberships.events(member_id))
        return MembershipsView(member_id, today, standings, history)

    def standing(self, uow: UnitOfWork, subscription: Subscription) -> Standing:
        programme = self._ctx.programmes.compiled(uow)
        return standing_of(programme, subscription, local_day(programme, self._ctx.clock.now()))

    def plan_at(
        self, uow: UnitOfWork, programme: CompiledProgramme, member_id: str, at: datetime
    ) -> MembershipPlan | None:
        """The plan whose benefits a purchase at ``at`` gets, lapse computed on read."""
        if not programme.document.memberships:
            return None  # no plans: no read on the till's path
        day = local_day(programme, at)
        for subscription in uow.memberships.of_member(member_id):
            plan = programme.document.plan(subscription.plan_id)
            if plan is not None and subscription.gives_benefits_on(day):
                return plan
        return None

    def _record_lapse(
        self, uow: UnitOfWork, current: Subscription, day: date, now: datetime, version: int
    ) -> bool:
        lapsed = lapse(current, day)
        if lapsed is None:
            return False
        uow.memberships.put(lapsed, now, version)
        event = _status_event(lapsed, Change.LAPSED, now, lapsed.benefits_until, version, None)
        uow.memberships.add_event(event)
        return True

    def _resent(
        self, uow: UnitOfWork, earlier: MembershipEvent, member_id: str, command: PaymentCommand
    ) -> MembershipResult:
        same = (
            earlier.member_id == member_id
            and earlier.plan_id == command.plan_id
            and earlier.amount_minor == command.amount_minor
            and earlier.currency == command.currency
            and earlier.paid_at == command.paid_at
        )
        if not same:
            raise PaymentReferenceConflict(
                f"payment {command.payment_reference} was recorded with other content",
                payment_reference=command.payment_reference,
            )
        subscription = uow.memberships.get(member_id, earlier.plan_id)
        assert subscription is not None  # the payment wrote it
        return MembershipResult(member_id, subscription, earlier, replayed=True)


def standing_of(programme: CompiledProgramme, subscription: Subscription, today: date) -> Standing:
    plan = programme.document.plan(subscription.plan_id)
    return Standing(
        subscription,
        plan,
        subscription.status_on(today),
        plan is not None and subscription.gives_benefits_on(today),
        subscription.in_grace_on(today),
        programme.document.currency,
    )


def _plan(programme: CompiledProgramme, plan_id: str) -> MembershipPlan:
    plan = programme.document.plan(plan_id)
    if plan is None:
        raise MembershipPlanNotFound(
            f"the programme has no membership plan {plan_id}", plan=plan_id
        )
    return plan


def _check_payment(
    programme: CompiledProgramme, plan: MembershipPlan, command: PaymentCommand, now: datetime
) -> None:
    currency = programme.document.currency
    if command.currency != currency:
        raise CurrencyMismatch(f"the programme runs in {currency}, not {command.currency}")
    fee = units_to_minor(plan.fee, programme.exponent)
    if command.amount_minor != fee:
        paid = Money(command.amount_minor, currency)
        raise MembershipFeeMismatch(
            f"{plan.name} costs {Money(fee, currency)} {currency} a {plan.period}, not {paid}",
            fee=str(Money(fee, currency)),
        )
    if command.paid_at > now + CLOCK_SKEW:
        raise InvalidInput("paid_at is in the future", field="paid_at")


def _refuse_other_plan(
    uow: UnitOfWork, programme: CompiledProgramme, member_id: str, plan_id: str, day: date
) -> None:
    """One plan at a time; a plan the programme dropped gives nothing, so it blocks nothing."""
    for other in uow.memberships.of_member(member_id):
        known = programme.document.plan(other.plan_id) is not None
        if other.plan_id != plan_id and known and other.gives_benefits_on(day):
            raise MembershipConflict(
                f"the member's {other.plan_id} membership runs until {other.benefits_until}",
                plan=other.plan_id,
            )


def _status_event(
    subscription: Subscription,
    change: Change,
    now: datetime,
    effective_on: date,
    version: int,
    actor: str | None,
) -> MembershipEvent:
    return MembershipEvent(
        event_id=new_id(),
        member_id=subscription.member_id,
        plan_id=subscription.plan_id,
        change=change,
        recorded_at=now,
        effective_on=effective_on,
        starts_on=subscription.starts_on,
        ends_on=subscription.ends_on,
        amount_minor=None,
        currency=None,
        paid_at=None,
        payment_reference=None,
        programme_version=version,
        actor=actor,
    )
