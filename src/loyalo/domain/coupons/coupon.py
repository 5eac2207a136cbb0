"""A coupon: a code that grants a benefit, personal (one member, once) or shared (a promo code)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from loyalo.domain.coupons.benefits import Benefit


class CouponKind(StrEnum):
    PERSONAL = "personal"  # one member, used once
    SHARED = "shared"  # a promo code anyone may use, within its limits


class CouponStatus(StrEnum):
    ACTIVE = "active"
    USED = "used"  # every use taken
    CANCELLED = "cancelled"  # e.g. the purchase that issued it was returned


@dataclass(frozen=True, slots=True)
class Coupon:
    coupon_id: str
    code: str
    kind: CouponKind
    benefit: Benefit
    member_id: str | None  # None for a shared promo code
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None  # None: unlimited (a shared code may be)
    uses: int
    status: CouponStatus
    source_type: str  # redemption, rule, batch, purchase, admin
    source_id: str | None
    batch_id: str | None
    created_at: datetime
