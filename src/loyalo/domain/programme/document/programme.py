"""The whole programme document."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator, model_validator

from loyalo.domain.coupons.benefits import CharityBenefit, WalletCashbackBenefit
from loyalo.domain.errors import InvalidInput
from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document.base import Part, PositiveRate, Rounding
from loyalo.domain.programme.document.coupons import CouponPolicy
from loyalo.domain.programme.document.expiry import ExpiryPolicy, NoExpiry
from loyalo.domain.programme.document.gamification import (
    Badge,
    Challenge,
    Streaks,
    check_gamification,
)
from loyalo.domain.programme.document.memberships import MembershipPlan, unique_plans
from loyalo.domain.programme.document.passes import PassDesign
from loyalo.domain.programme.document.referrals import ReferralPolicy
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.programme.document.rules import Rule
from loyalo.domain.programme.document.tiers import TierPolicy

AS_APPLIED = {"as_applied": True}
"""The validation context of a document read back from storage: it was valid when it was
applied, and a check added since must not refuse the programme in force (it refuses the
next document applied instead)."""


class BaseEarning(Part):
    """The rate every purchase earns before any promotion (the rule ``base-rate``)."""

    points: Decimal = Field(default=Decimal(1), ge=0)
    per: PositiveRate = Decimal(1)
    rounding: Rounding = Rounding.DOWN
    include_delivery: bool = True
    exclude_skus: list[str] = Field(default_factory=list)
    exclude_labels: list[str] = Field(default_factory=list)


class Bonuses(Part):
    welcome_points: int = Field(default=0, ge=0)
    birthday_points: int = Field(default=0, ge=0)


class ProgrammeDocument(Part):
    name: str = "Loyalty programme"
    currency: str = "PLN"
    timezone: str = "UTC"
    point_name: str = "points"
    redeem_points_per_unit: PositiveRate = Decimal(10)
    """Points that pay 1.00 of a purchase (10 means 100 points pay 10.00)."""
    earning: BaseEarning = BaseEarning()
    pending_days: int = Field(default=0, ge=0, le=365)
    """Points wait this long (the return window) before they can be spent."""
    hold_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    expiry: ExpiryPolicy = NoExpiry()
    delivery_skus: list[str] = Field(default_factory=list)
    """SKUs that are delivery charges, besides lines the till marks as delivery."""
    bonuses: Bonuses = Bonuses()
    tiers: TierPolicy | None = None
    rules: list[Rule] = Field(default_factory=list)
    passes: PassDesign = PassDesign()
    """The member's card in Apple Wallet and Google Wallet."""
    memberships: list[MembershipPlan] = Field(default_factory=list)
    """Paid plans (a club card): a fee per month or year, benefits while active."""
    challenges: list[Challenge] = Field(default_factory=list)
    badges: list[Badge] = Field(default_factory=list)
    streaks: Streaks | None = None
    referrals: ReferralPolicy | None = None
    """Referral codes and links, and the points a friend's join or first purchase gives."""
    rewards: list[Reward] = Field(default_factory=list)
    """The rewards catalogue (docs/guide/catalogue.md)."""
    coupons: CouponPolicy = CouponPolicy()
    """How coupon codes combine at the till."""

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        try:
            currency_exponent(value)
        except InvalidInput as exc:
            raise ValueError(f"unknown currency {value!r}") from exc
        return value

    @field_validator("memberships")
    @classmethod
    def _unique_plans(cls, value: list[MembershipPlan]) -> list[MembershipPlan]:
        return unique_plans(value)

    def plan(self, plan_id: str) -> MembershipPlan | None:
        return next((plan for plan in self.memberships if plan.id == plan_id), None)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _unique_rules(self) -> Self:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique: {', '.join(duplicates)}")
        if "base-rate" in ids:
            raise ValueError("'base-rate' is the id of the base earning rate")
        tier_ids = {tier.id for tier in self.tiers.levels} if self.tiers else set()
        zone = ZoneInfo(self.timezone)
        for rule in self.rules:
            schedule = rule.schedule
            if schedule and schedule.starts and schedule.ends:
                starts, ends = (
                    _in_zone(moment, zone) for moment in (schedule.starts, schedule.ends)
                )
                if ends <= starts:
                    raise ValueError(f"rule {rule.id}: 'ends' must be after 'starts'")
            unknown = set(rule.tiers) - tier_ids
            if unknown:
                raise ValueError(f"rule {rule.id} names unknown tiers: {sorted(unknown)}")
        check_gamification(self.challenges, self.badges, self.streaks, tier_ids, zone)
        return self

    @model_validator(mode="after")
    def _first_purchase_rewards_wait_for_returns(self, info: ValidationInfo) -> Self:
        """The rewards of a friend's first purchase wait a day at least, so that a full return
        of it can take them back before anyone spends them."""
        policy = self.referrals
        if policy is None or (info.context or {}).get("as_applied"):
            return self
        if policy.hold(self.pending_days) == 0 and policy.rewards_first_purchases:
            raise ValueError(
                "referrals: first_purchase rewards must wait for the friend's return window: "
                "set referrals.hold_days (or pending_days) to 1 day or more"
            )
        return self

    @model_validator(mode="after")
    def _valid_rewards(self) -> Self:
        ids = [reward.id for reward in self.rewards]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"reward ids must be unique: {', '.join(duplicates)}")
        tier_ids = {tier.id for tier in self.tiers.levels} if self.tiers else set()
        zone = ZoneInfo(self.timezone)
        for reward in self.rewards:
            unknown = set(reward.eligibility.tiers) - tier_ids
            if unknown:
                raise ValueError(f"reward {reward.id} names unknown tiers: {sorted(unknown)}")
            window = reward.available
            starts, ends = window.starts, window.ends
            if starts and ends and _in_zone(ends, zone) <= _in_zone(starts, zone):
                raise ValueError(f"reward {reward.id}: 'ends' must be after 'starts'")
            _check_amount(reward, currency_exponent(self.currency))
        settled = {
            r.id
            for r in self.rewards
            if isinstance(r.benefit, CharityBenefit | WalletCashbackBenefit)
        }
        for giver, named in self._rewards_given():
            if named in settled:
                raise ValueError(
                    f"{giver} issues {named}, a donation or wallet money: "
                    "a rule or a prize may issue only rewards that give a coupon"
                )
        return self

    def _rewards_given(self) -> list[tuple[str, str | None]]:
        """Who issues which catalogue reward free: rules, challenge and streak prizes."""
        given = [(f"rule {rule.id}", getattr(rule.effect, "reward", None)) for rule in self.rules]
        given += [(f"challenge {c.id}", c.reward.reward) for c in self.challenges]
        if self.streaks is not None:
            given += [
                (f"the {m.weeks}-week streak milestone", m.reward) for m in self.streaks.milestones
            ]
        return given


def _check_amount(reward: Reward, exponent: int) -> None:
    amount = getattr(reward.benefit, "amount", None)
    if amount is None:
        return
    if amount != round(amount, exponent):
        raise ValueError(f"reward {reward.id}: {amount} has too many decimals for the currency")
    if amount == 0 and isinstance(reward.benefit, CharityBenefit | WalletCashbackBenefit):
        raise ValueError(f"reward {reward.id}: a donation or wallet credit must be positive")


def _in_zone(moment: datetime, zone: ZoneInfo) -> datetime:
    """A time written without an offset is in the programme's time zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
