"""Cohorts and RFM over HTTP: money as decimal strings, shares as decimal strings to four places
(0.5000 is 50 %), counts, scores and days as integers."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.analytics import Envelope
from loyalo.domain.analytics.arithmetic import rate
from loyalo.domain.money import Money
from loyalo.domain.report.cohorts import CohortMonth
from loyalo.domain.report.rfm import MemberRfm, Segment


class CohortMonthOut(BaseModel):
    cohort_month: date = Field(description="The month of the members' first purchase (its 1st)")
    months_since: int = Field(description="0: the cohort's own month")
    members: int = Field(description="The cohort's size")
    active_members: int = Field(description="Members of the cohort who bought in that month")
    retention: str = Field(examples=["0.5000"])
    revenue: str = Field(examples=["15.00"], description="What they paid in that month")

    @classmethod
    def of(cls, row: CohortMonth, currency: str) -> CohortMonthOut:
        return cls(
            cohort_month=row.cohort_month,
            months_since=row.months_since,
            members=row.members,
            active_members=row.active_members,
            retention=str(rate(row.active_members, row.members)),
            revenue=str(Money(row.revenue_minor, currency)),
        )


class CohortsOut(Envelope):
    currency: str
    cohorts: list[CohortMonthOut] = Field(
        description="Every cohort acquired in the period, every month from its own to the last"
    )


class SegmentOut(BaseModel):
    segment: Segment
    members: int
    revenue: str = Field(description="What the segment's members paid in the period")


class RfmOut(Envelope):
    currency: str
    as_of: date = Field(description="The period's last day: recency is counted to it")
    members_scored: int
    segments: list[SegmentOut] = Field(description="All eleven, in the grid's order")


class RfmMemberOut(BaseModel):
    member_id: str
    last_purchase: date
    recency_days: int
    frequency: int = Field(description="Purchases in the period")
    monetary: str = Field(description="What they paid in the period")
    r: int = Field(ge=1, le=5)
    f: int = Field(ge=1, le=5)
    m: int = Field(ge=1, le=5)
    segment: Segment

    @classmethod
    def of(cls, member: MemberRfm, as_of: date, currency: str) -> RfmMemberOut:
        return cls(
            member_id=member.member_id,
            last_purchase=member.last_purchase,
            recency_days=member.recency_days(as_of),
            frequency=member.frequency,
            monetary=str(Money(member.monetary_minor, currency)),
            r=member.recency_score,
            f=member.frequency_score,
            m=member.monetary_score,
            segment=member.segment,
        )


class RfmMembersOut(Envelope):
    currency: str
    items: list[RfmMemberOut]
    next_after: str | None = Field(description="Pass as `after` for the next page; null: no more")
