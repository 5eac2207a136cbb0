"""Events members send from any channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from loyalo.adapters.http.schemas.common import BalanceOut, EffectOut, MemberIdentifier, Strict
from loyalo.application.events import EventCommand, EventResult


class EventIn(Strict):
    member: MemberIdentifier
    name: str = Field(
        pattern=r"^[a-z][a-z0-9_]{0,63}$",
        examples=["review_posted"],
        description="review_posted, referral_completed, newsletter_signup, social_share, "
        "app_checkin, birthday, survey_completed, or any custom name",
    )
    attributes: dict[str, Any] = Field(default_factory=dict, examples=[{"product_id": "P-42"}])
    channel: str = Field(default="app", max_length=32)
    occurred_at: AwareDatetime | None = None
    event_key: str | None = Field(
        default=None, max_length=200, description="Your id of the event: sent again, it counts once"
    )

    def to_command(self) -> EventCommand:
        return EventCommand(
            member=self.member,
            name=self.name,
            attributes=self.attributes,
            channel=self.channel,
            occurred_at=self.occurred_at,
            event_key=self.event_key,
        )


class EventOut(BaseModel):
    event_id: str
    member_id: str
    name: str
    attributes: dict[str, Any]
    channel: str
    occurred_at: datetime
    programme_version: int
    points_earned: int
    balance: BalanceOut
    effects: list[EffectOut]
    replayed: bool

    @classmethod
    def of(cls, result: EventResult) -> EventOut:
        event = result.event
        return cls(
            event_id=event.event_id,
            member_id=event.member_id,
            name=event.name,
            attributes=event.attributes,
            channel=event.channel,
            occurred_at=event.occurred_at,
            programme_version=event.programme_version,
            points_earned=event.points,
            balance=BalanceOut.of(result.balance),
            effects=[EffectOut.of(e) for e in result.effects],
            replayed=result.replayed,
        )
