"""What a reward gives: a coupon, a donation or wallet money, and the coupon port."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.benefits import Benefit, CharityBenefit, WalletCashbackBenefit
from loyalo.domain.coupons.coupon import Coupon
from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.rewards.redemption import Delivery


class RewardCoupons(Protocol):
    """Issues and cancels personal coupons inside the caller's unit of work (CouponService)."""

    def issue_personal(
        self,
        uow: UnitOfWork,
        *,
        member_id: str,
        benefit: Benefit,
        valid_from: datetime,
        valid_until: datetime | None,
        source_type: str,
        source_id: str | None,
    ) -> Coupon: ...

    def cancel_unused(
        self, uow: UnitOfWork, *, source_type: str, source_id: str
    ) -> list[Coupon]: ...


def delivery_of(benefit: Benefit) -> Delivery:
    if isinstance(benefit, CharityBenefit):
        return Delivery.DONATION
    if isinstance(benefit, WalletCashbackBenefit):
        return Delivery.WALLET
    return Delivery.COUPON


def issue_coupon(
    coupons: RewardCoupons,
    uow: UnitOfWork,
    reward: Reward,
    member_id: str,
    now: datetime,
    source: tuple[str, str],
) -> Coupon:
    """The reward's coupon, valid from now for the reward's ``valid_days`` (or until used)."""
    valid_until = now + timedelta(days=reward.valid_days) if reward.valid_days else None
    source_type, source_id = source
    return coupons.issue_personal(
        uow,
        member_id=member_id,
        benefit=reward.benefit,
        valid_from=now,
        valid_until=valid_until,
        source_type=source_type,
        source_id=source_id,
    )
