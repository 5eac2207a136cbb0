"""Paid memberships in SQL: subscriptions and their append-only history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables_membership import MembershipEventRow, MembershipRow
from loyalo.domain.errors import PaymentReferenceConflict
from loyalo.domain.memberships.subscription import (
    Change,
    MembershipEvent,
    MembershipStatus,
    Subscription,
)
from loyalo.domain.programme.document.memberships import BillingPeriod

_SUBSCRIPTIONS = cast(Table, MembershipRow.__table__)
_EVENTS = cast(Table, MembershipEventRow.__table__)
_COLUMNS = [
    _SUBSCRIPTIONS.c[name]
    for name in (
        "member_id",
        "plan_id",
        "status",
        "period",
        "anchor_on",
        "periods",
        "starts_on",
        "ends_on",
        "benefits_until",
    )
]
_OF_MEMBER = (
    select(*_COLUMNS)
    .where(_SUBSCRIPTIONS.c.member_id == bindparam("m_member_id"))
    .order_by(_SUBSCRIPTIONS.c.plan_id)
)
_ONE = select(*_COLUMNS).where(
    _SUBSCRIPTIONS.c.member_id == bindparam("m_member_id"),
    _SUBSCRIPTIONS.c.plan_id == bindparam("m_plan_id"),
)
_VALUES = (
    "status",
    "period",
    "anchor_on",
    "periods",
    "starts_on",
    "ends_on",
    "benefits_until",
    "updated_at",
    "programme_version",
)
_UPDATE = (
    update(_SUBSCRIPTIONS)
    .where(
        _SUBSCRIPTIONS.c.member_id == bindparam("m_member_id"),
        _SUBSCRIPTIONS.c.plan_id == bindparam("m_plan_id"),
    )
    .values({name: bindparam(name) for name in _VALUES})
)
_INSERT = insert(_SUBSCRIPTIONS)
_EVENT_COLUMNS = [c for c in _EVENTS.c if c.name != "event_no"]
_EVENT_INSERT = insert(_EVENTS)
_EVENTS_OF = (
    select(*_EVENT_COLUMNS)
    .where(_EVENTS.c.member_id == bindparam("m_member_id"))
    .order_by(_EVENTS.c.event_no)
)
_BY_REFERENCE = select(*_EVENT_COLUMNS).where(
    _EVENTS.c.payment_reference == bindparam("m_reference")
)
_DUE = (
    select(_SUBSCRIPTIONS.c.member_id, _SUBSCRIPTIONS.c.plan_id)
    .where(
        _SUBSCRIPTIONS.c.status == MembershipStatus.ACTIVE.value,
        _SUBSCRIPTIONS.c.benefits_until <= bindparam("m_day"),
    )
    .order_by(_SUBSCRIPTIONS.c.member_id, _SUBSCRIPTIONS.c.plan_id)
    .limit(bindparam("m_limit"))
)


def _subscription(row: Row[Any]) -> Subscription:
    return Subscription(
        member_id=row.member_id,
        plan_id=row.plan_id,
        status=MembershipStatus(row.status),
        period=BillingPeriod(row.period),
        anchor_on=row.anchor_on,
        periods=row.periods,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        benefits_until=row.benefits_until,
    )


def _event(row: Row[Any]) -> MembershipEvent:
    return MembershipEvent(
        event_id=row.event_id,
        member_id=row.member_id,
        plan_id=row.plan_id,
        change=Change(row.change),
        recorded_at=row.recorded_at,
        effective_on=row.effective_on,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        amount_minor=row.amount_minor,
        currency=row.currency,
        paid_at=row.paid_at,
        payment_reference=row.payment_reference,
        programme_version=row.programme_version,
        actor=row.actor,
    )


class SqlMembershipRepository(SqlRepository):
    def get(self, member_id: str, plan_id: str) -> Subscription | None:
        found = self._db.execute(_ONE, {"m_member_id": member_id, "m_plan_id": plan_id}).first()
        return _subscription(found) if found is not None else None

    def of_member(self, member_id: str) -> list[Subscription]:
        rows = self._db.execute(_OF_MEMBER, {"m_member_id": member_id})
        return [_subscription(row) for row in rows]

    def put(self, subscription: Subscription, at: datetime, version: int) -> None:
        values = {
            "status": subscription.status.value,
            "period": subscription.period.value,
            "anchor_on": subscription.anchor_on,
            "periods": subscription.periods,
            "starts_on": subscription.starts_on,
            "ends_on": subscription.ends_on,
            "benefits_until": subscription.benefits_until,
            "updated_at": at,
            "programme_version": version,
        }
        keys = {"m_member_id": subscription.member_id, "m_plan_id": subscription.plan_id}
        if self._db.execute(_UPDATE, {**keys, **values}).rowcount == 0:
            self._db.execute(
                _INSERT,
                {"member_id": subscription.member_id, "plan_id": subscription.plan_id, **values},
            )

    def add_event(self, event: MembershipEvent) -> None:
        values = {
            "event_id": event.event_id,
            "member_id": event.member_id,
            "plan_id": event.plan_id,
            "change": event.change.value,
            "recorded_at": event.recorded_at,
            "effective_on": event.effective_on,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "amount_minor": event.amount_minor,
            "currency": event.currency,
            "paid_at": event.paid_at,
            "payment_reference": event.payment_reference,
            "programme_version": event.programme_version,
            "actor": event.actor,
        }
        if event.payment_reference is None:
            self._db.execute(_EVENT_INSERT, values)
            return
        try:  # another member's payment with this reference may commit at the same moment
            with self._session.begin_nested():
                self._db.execute(_EVENT_INSERT, values)
        except IntegrityError as error:
            raise PaymentReferenceConflict(
                f"payment {event.payment_reference} was already recorded",
                payment_reference=event.payment_reference,
            ) from error

    def events(self, member_id: str) -> list[MembershipEvent]:
        return [_event(row) for row in self._db.execute(_EVENTS_OF, {"m_member_id": member_id})]

    def event_by_reference(self, reference: str) -> MembershipEvent | None:
        found = self._db.execute(_BY_REFERENCE, {"m_reference": reference}).first()
        return _event(found) if found is not None else None

    def due_to_lapse(self, day: date, limit: int) -> list[tuple[str, str]]:
        rows = self._db.execute(_DUE, {"m_day": day, "m_limit": limit})
        return [(row.member_id, row.plan_id) for row in rows]
