"""Each member's spend around joining, over HTTP: money as decimal strings in the programme's
currency, counts as integers, times in UTC."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.analytics import Envelope, FiltersOut, Freshness, PeriodOut
from loyalo.application.analytics.ports import ExportState
from loyalo.domain.analytics.joining import JoiningSpend, SpendAroundJoining
from loyalo.domain.money import Money


class JoiningMemberOut(BaseModel):
    member_id: str
    joined_at: datetime
    orders_before: int
    spend_before: str = Field(description="Paid in the window_days before joining")
    orders_after: int
    spend_after: str = Field(description="Paid in the window_days from joining")
    window_complete: bool = Field(description="The window after had ended at the export")

    @classmethod
    def of(cls, member: SpendAroundJoining, spend: JoiningSpend) -> JoiningMemberOut:
        currency = spend.currency
        return cls(
            member_id=member.member_id,
            joined_at=member.joined_at,
            orders_before=member.orders_before,
            spend_before=str(Money(member.spend_before_minor, currency)),
            orders_after=member.orders_after,
            spend_after=str(Money(member.spend_after_minor, currency)),
            window_complete=spend.complete(member),
        )


class JoiningTotalsOut(BaseModel):
    members: int = Field(description="Members in scope who joined in the period")
    with_orders_before: int = Field(description="Of them, with a purchase in the window before")
    complete_windows: int = Field(description="Of them, whose window after had ended")
    orders_before: int
    spend_before: str
    orders_after: int
    spend_after: str

    @classmethod
    def of(cls, spend: JoiningSpend) -> JoiningTotalsOut:
        return cls(
            members=len(spend.members),
            with_orders_before=spend.with_orders_before,
            complete_windows=spend.complete_windows,
            orders_before=spend.orders_before,
            spend_before=str(spend.spend_before),
            orders_after=spend.orders_after,
            spend_after=str(spend.spend_after),
        )


class SpendAroundJoiningOut(Envelope):
    currency: str
    window_days: int
    totals: JoiningTotalsOut = Field(description="Over every member who joined, not the page")
    items: list[JoiningMemberOut] = Field(description="By member id")
    next_after: str | None = Field(description="Pass as `after` for the next page; null: no more")

    @classmethod
    def of(
        cls, spend: JoiningSpend, state: ExportState, page: list[SpendAroundJoining], limit: int
    ) -> SpendAroundJoiningOut:
        items = [JoiningMemberOut.of(member, spend) for member in page]
        return cls(
            period=PeriodOut.of(spend.period),
            filters=FiltersOut.of(spend.filters),
            freshness=Freshness.of(state),
            currency=spend.currency,
            window_days=spend.window_days,
            totals=JoiningTotalsOut.of(spend),
            items=items,
            next_after=items[-1].member_id if len(items) == limit else None,
        )
