"""Referrals over HTTP: a member's code and link, their friends, enrolment with a code."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from loyalo.adapters.http.problems import problem
from loyalo.adapters.http.schemas.common import ProblemOut
from loyalo.adapters.http.schemas.members import MemberIn, MemberOut
from loyalo.application.referrals.ports import StoredReferral
from loyalo.application.referrals.service import Friend, ReferralSummary
from loyalo.domain.errors import UnknownReferralCode
from loyalo.domain.members.member import Member
from loyalo.domain.referrals.decisions import ReferralStatus, RefusalReason


class MemberEnrolIn(MemberIn):
    referral_code: str | None = Field(
        default=None,
        max_length=64,
        description="A friend's referral code (case, spaces and hyphens do not matter)",
        examples=["7K3M-9QXD"],
    )


class EnrolmentReferralOut(BaseModel):
    """What became of the referral code given at enrolment."""

    referral_id: str
    code: str
    status: ReferralStatus = Field(description="pending, qualified, rewarded or refused")
    reason: RefusalReason | None = Field(
        default=None, description="Why it was refused: cap-reached, unknown-referral-code, …"
    )
    problem: ProblemOut | None = Field(
        default=None, description="For an unknown code: the problem, while the member is enrolled"
    )

    @classmethod
    def of(cls, referral: StoredReferral, status: ReferralStatus) -> EnrolmentReferralOut:
        reported = None
        if referral.reason is RefusalReason.UNKNOWN_CODE:
            error = UnknownReferralCode(f"no member has the referral code {referral.code!r}")
            body = problem(404, error.slug, error.title, error.detail)
            reported = ProblemOut.model_validate(body)
        return cls(
            referral_id=referral.referral_id,
            code=referral.code,
            status=status,
            reason=referral.reason,
            problem=reported,
        )


class EnrolledOut(MemberOut):
    referral: EnrolmentReferralOut | None = Field(
        default=None, description="Present when the member enrolled with a referral code"
    )


class ReferralCounts(BaseModel):
    invited: int = Field(description="Friends who enrolled with the code")
    qualified: int = Field(description="Referrals that gave points, pending or available")
    rewarded: int = Field(description="Referrals whose points are all available")
    refused: int = Field(description="Referrals refused, e.g. over the cap")
    reversed: int = Field(description="Referrals whose qualifying purchase was returned in full")


class ReferralOut(BaseModel):
    member_id: str
    code: str = Field(examples=["7K3M9QXD"])
    link: str | None = Field(examples=["https://shop.example/join?ref=7K3M9QXD"])
    counts: ReferralCounts
    points_pending: int = Field(description="Referral points still in the return window")
    points_earned: int = Field(description="Every referral point given to this member, kept")

    @classmethod
    def of(cls, summary: ReferralSummary) -> ReferralOut:
        tally = summary.tally
        return cls(
            member_id=summary.member_id,
            code=summary.code,
            link=summary.link,
            counts=ReferralCounts(
                invited=tally.invited,
                qualified=tally.qualified,
                rewarded=tally.rewarded,
                refused=tally.refused,
                reversed=tally.reversed,
            ),
            points_pending=tally.points_pending,
            points_earned=tally.points_earned,
        )


class FriendOut(BaseModel):
    referral_id: str
    name: str | None = Field(description="First name and initial", examples=["Anna K."])
    email: str | None = Field(description="Masked", examples=["a***@example.pl"])
    status: ReferralStatus
    reason: RefusalReason | None = None
    joined_at: datetime
    points: int = Field(description="Points this referral gave the advocate, net of reversals")

    @classmethod
    def of(cls, friend: Friend) -> FriendOut:
        return cls(
            referral_id=friend.referral.referral_id,
            name=masked_name(friend.member),
            email=masked_email(friend.member.email),
            status=friend.status,
            reason=friend.referral.reason,
            joined_at=friend.referral.created_at,
            points=friend.points,
        )


class FriendPage(BaseModel):
    items: list[FriendOut]


class ReferralCodeOut(BaseModel):
    code: str
    valid: bool = True


def masked_name(member: Member) -> str | None:
    parts = [member.first_name or "", f"{member.last_name[0]}." if member.last_name else ""]
    name = " ".join(part for part in parts if part)
    return name or None


def masked_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    local, domain = email.split("@", 1)
    return f"{local[0]}***@{domain}"
