"""What memberships need from storage: subscriptions as they stand, and their history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from loyalo.domain.memberships.subscription import MembershipEvent, Subscription


class MembershipRepository(Protocol):
    """Writes only under the member's ledger lock (``uow.ledger.lock``), taken first."""

    def get(self, member_id: str, plan_id: str) -> Subscription | None: ...
    def of_member(self, member_id: str) -> list[Subscription]: ...
    def put(self, subscription: Subscription, at: datetime, version: int) -> None: ...
    def add_event(self, event: MembershipEvent) -> None:
        """Append to the history; ``PaymentReferenceConflict`` when the reference is taken."""
        ...

    def events(self, member_id: str) -> list[MembershipEvent]: ...  # in the order written
    def event_by_reference(self, reference: str) -> MembershipEvent | None: ...
    def due_to_lapse(self, day: date, limit: int) -> list[tuple[str, str]]:
        """(member, plan) of active subscriptions whose benefits end before ``day``."""
        ...
