"""The ``referrals:`` section: who gets what when a friend joins through a member's code."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from loyalo.domain.programme.document.base import Amount, Part, Period


class ReferralReward(Part):
    """Points for each side when this step happens (0: nothing for that side)."""

    advocate: int = Field(default=0, ge=0, le=1_000_000)
    """Points for the member whose code was used."""
    friend: int = Field(default=0, ge=0, le=1_000_000)
    """Points for the friend who joined with the code."""


class FirstPurchaseReward(ReferralReward):
    min_amount: Amount = Decimal(0)
    """The friend's first purchase of at least this total qualifies (smaller ones wait)."""


class ReferralCap(Part):
    """At most ``times`` rewarded referrals per advocate in each period."""

    times: int = Field(ge=1, le=10_000)
    per: Literal[
        Period.DAY, Period.WEEK, Period.MONTH, Period.QUARTER, Period.YEAR, Period.EVER
    ] = Period.MONTH


class ReferralPolicy(Part):
    """Referrals: each member's code and link, and the points when a friend joins and buys.

    ``join`` rewards the friend's enrolment, ``first_purchase`` the friend's first
    purchase; give either or both. Every reward waits the hold (the longer of
    ``hold_days`` and the programme's ``pending_days``) before it can be spent, and a
    full return of the first purchase inside that hold takes the first-purchase
    rewards back.
    """

    enabled: bool = True
    link: str | None = Field(
        default=None, max_length=500, examples=["https://shop.example/join?ref={code}"]
    )
    """The member's referral link; ``{code}`` is replaced by the member's code."""
    join: ReferralReward | None = None
    first_purchase: FirstPurchaseReward | None = None
    cap: ReferralCap | None = None
    hold_days: int | None = Field(default=None, ge=1, le=365)
    """How long every referral reward stays pending at least: the friend's return window,
    inside which a full return of the first purchase takes its rewards back. The hold is
    the longer of this and the programme's ``pending_days`` (left out: ``pending_days``);
    a programme whose hold would be 0 days while the first purchase rewards anyone is
    refused."""

    @field_validator("link")
    @classmethod
    def _link_has_code(cls, value: str | None) -> str | None:
        if value is not None and "{code}" not in value:
            raise ValueError("the link must contain {code}")
        return value

    @model_validator(mode="after")
    def _rewards_something(self) -> Self:
        if self.join is None and self.first_purchase is None:
            raise ValueError("give join, first_purchase or both")
        return self

    def hold(self, pending_days: int) -> int:
        """The days every referral reward waits: never fewer than a purchase's points wait,
        so a return that takes those back can always take the referral's back too."""
        return max(pending_days, self.hold_days or 0)

    @property
    def rewards_first_purchases(self) -> bool:
        step = self.first_purchase
        return step is not None and step.advocate + step.friend > 0

    @property
    def trigger(self) -> Literal["join", "first_purchase", "both"]:
        if self.join is not None and self.first_purchase is not None:
            return "both"
        return "join" if self.join is not None else "first_purchase"
