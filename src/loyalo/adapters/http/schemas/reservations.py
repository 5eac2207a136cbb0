"""Till holds over HTTP."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import (
    Amount,
    BalanceOut,
    MemberIdentifier,
    MoneyOut,
    Strict,
)
from loyalo.application.reservations import HoldResult, ReserveCommand
from loyalo.domain.money import Money


class ReservationIn(Strict):
    member: MemberIdentifier
    points: int | None = Field(default=None, gt=0, description="Points to hold, or give amount")
    amount: Amount | None = Field(default=None, description="Money value to pay with points")
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    ttl_seconds: int | None = Field(default=None, ge=1, le=7 * 24 * 3600)
    store_id: str | None = Field(default=None, max_length=64)
    channel: str | None = Field(default=None, max_length=32)
    reference: str | None = Field(default=None, max_length=128)

    def to_command(self, programme_currency: str) -> ReserveCommand:
        """An ``amount`` is in ``currency``, or the programme's when it is left out."""
        currency = (self.currency or programme_currency).upper()
        return ReserveCommand(
            member=self.member,
            points=self.points,
            amount=Money.parse(self.amount, currency) if self.amount is not None else None,
            ttl_seconds=self.ttl_seconds,
            store_id=self.store_id,
            channel=self.channel,
            reference=self.reference,
        )


class CommitIn(Strict):
    points: int | None = Field(
        default=None, ge=0, description="Points to post; omit to post the whole hold"
    )


class ReservationOut(BaseModel):
    reservation_id: str
    member_id: str
    points: int
    status: str
    expires_at: datetime
    committed_points: int | None
    value: MoneyOut = Field(description="Money value of the points held or committed")
    balance: BalanceOut

    @classmethod
    def of(cls, result: HoldResult) -> ReservationOut:
        hold = result.hold
        return cls(
            reservation_id=hold.hold_id,
            member_id=hold.member_id,
            points=hold.points,
            status=hold.status.value,
            expires_at=hold.expires_at,
            committed_points=hold.committed_points,
            value=MoneyOut.of(result.value),
            balance=BalanceOut.of(result.balance),
        )
