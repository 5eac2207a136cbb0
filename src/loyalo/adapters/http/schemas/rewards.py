"""The rewards catalogue, redemptions and donations over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import BalanceOut, MoneyOut, Strict
from loyalo.application.rewards.catalogue import RewardView
from loyalo.domain.money import Money
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.rewards.redemption import CauseTotal, Donation, Redemption


class ReasonOut(BaseModel):
    reason: str = Field(
        description=(
            "A stable slug: not-enough-points, tier, flag, channel, not-yet-available, "
            "ended, out-of-stock, member-limit, period-limit"
        ),
        examples=["not-enough-points"],
    )
    detail: str = Field(examples=["costs 200 points, 40 missing"])


class RewardOut(BaseModel):
    id: str = Field(examples=["ten-percent-off"])
    name: str = Field(description="In the language asked for (`?lang=`), else the default")
    description: str
    language: str | None = Field(description="The language of name and description; null: default")
    images: list[str]
    points: int = Field(description="What it costs")
    benefit: dict[str, Any] = Field(examples=[{"type": "discount", "percent": "10"}])
    stock: int | None = Field(description="Units ever available; null: unlimited")
    stock_left: int | None
    limits: dict[str, Any]
    eligibility: dict[str, Any]
    available: dict[str, Any] = Field(description="The window: starts, ends (exclusive)")
    valid_days: int | None = Field(description="How long its coupon stays valid")
    affordable: bool | None = Field(description="With a member: enough available points")
    eligible: bool | None = Field(description="With a member: everything but points allows it")
    reasons: list[ReasonOut] = Field(
        description="With a member: every reason it cannot be redeemed"
    )

    @classmethod
    def of(cls, view: RewardView, lang: str | None) -> RewardOut:
        reward = view.reward
        language, name, description = _texts(reward, lang)
        decision = view.decision
        document = reward.model_dump(mode="json")
        return cls(
            id=reward.id,
            name=name,
            description=description,
            language=language,
            images=list(reward.images),
            points=reward.points,
            benefit=document["benefit"],
            stock=reward.stock,
            stock_left=view.stock_left,
            limits=document["limits"],
            eligibility=document["eligibility"],
            available=document["available"],
            valid_days=reward.valid_days,
            affordable=decision.affordable if decision else None,
            eligible=decision.eligible if decision else None,
            reasons=[
                ReasonOut(reason=r.refusal.value, detail=r.detail)
                for r in (decision.reasons if decision else ())
            ],
        )


def _texts(reward: Reward, lang: str | None) -> tuple[str | None, str, str]:
    """The texts in ``lang``, else in its base language (``pl`` for ``pl-PL``), else the default."""
    for candidate in (lang, lang.split("-")[0] if lang else None):
        if candidate and candidate in reward.texts:
            text = reward.texts[candidate]
            return candidate, text.name, text.description or reward.description
    return None, reward.name, reward.description


class RewardList(BaseModel):
    member_id: str | None = Field(description="Whose view this is; null: the plain catalogue")
    available_points: int | None
    items: list[RewardOut]


class RedeemIn(Strict):
    reward: str = Field(min_length=1, max_length=80, examples=["ten-percent-off"])
    channel: str | None = Field(
        default=None,
        max_length=32,
        description="Where it is redeemed; an app key always redeems on `app`",
        examples=["pos"],
    )


class CouponRef(BaseModel):
    coupon_id: str
    code: str = Field(description="Show it at the till or in the app")
    valid_until: datetime | None


class RedemptionOut(BaseModel):
    redemption_id: str
    member_id: str
    reward_id: str
    points: int = Field(description="Points it burned")
    status: str = Field(description="active or cancelled")
    delivery: str = Field(description="coupon, donation or wallet")
    benefit: dict[str, Any]
    channel: str
    programme_version: int
    created_at: datetime
    coupon: CouponRef | None
    donation_id: str | None
    wallet_entry_id: str | None
    cancelled_at: datetime | None
    balance: BalanceOut | None = Field(default=None, description="After this write")

    @classmethod
    def of(cls, redemption: Redemption, balance: BalanceOut | None = None) -> RedemptionOut:
        coupon = None
        if redemption.coupon_id is not None and redemption.coupon_code is not None:
            coupon = CouponRef(
                coupon_id=redemption.coupon_id,
                code=redemption.coupon_code,
                valid_until=redemption.coupon_valid_until,
            )
        return cls(
            redemption_id=redemption.redemption_id,
            member_id=redemption.member_id,
            reward_id=redemption.reward_id,
            points=redemption.points,
            status=redemption.status.value,
            delivery=redemption.delivery.value,
            benefit=redemption.benefit,
            channel=redemption.channel,
            programme_version=redemption.programme_version,
            created_at=redemption.created_at,
            coupon=coupon,
            donation_id=redemption.donation_id,
            wallet_entry_id=redemption.wallet_entry_id,
            cancelled_at=redemption.cancelled_at,
            balance=balance,
        )


class RedemptionPage(BaseModel):
    items: list[RedemptionOut]
    next_before: datetime | None = Field(description="Pass as `before` for the next page")


class DonationOut(BaseModel):
    donation_id: str = Field(description="The receipt number")
    redemption_id: str
    cause: str
    amount: MoneyOut
    points: int
    created_at: datetime

    @classmethod
    def of(cls, donation: Donation) -> DonationOut:
        return cls(
            donation_id=donation.donation_id,
            redemption_id=donation.redemption_id,
            cause=donation.cause,
            amount=MoneyOut.of(Money(donation.amount_minor, donation.currency)),
            points=donation.points,
            created_at=donation.created_at,
        )


class DonationList(BaseModel):
    member_id: str
    items: list[DonationOut]


class CauseOut(BaseModel):
    cause: str
    amount: MoneyOut = Field(description="Everything donated to it")
    points: int
    donations: int
    donors: int

    @classmethod
    def of(cls, total: CauseTotal) -> CauseOut:
        return cls(
            cause=total.cause,
            amount=MoneyOut.of(Money(total.amount_minor, total.currency)),
            points=total.points,
            donations=total.donations,
            donors=total.donors,
        )
