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
    per_member_limit: int | None = None  # a shared code: uses per member (None: no limit)
    combinable: bool = True  # False: refuses other coupons and promotion discounts
    cancelled_at: datetime | None = None

    @property
    def uses_left(self) -> int | None:
        return None if self.max_uses is None else max(self.max_uses - self.uses, 0)


def status_of(uses: int, max_uses: int | None, cancelled: bool) -> CouponStatus:
    """The status follows from the stored counts: nothing has to keep it up to date."""
    if cancelled:
        return CouponStatus.CANCELLED
    if max_uses is not None and uses >= max_uses:
        return CouponStatus.USED
    return CouponStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class CouponUse:
    """One use of a coupon by one purchase; a full return of the purchase undoes it."""

    use_id: str
    coupon_id: str
    purchase_id: str
    member_id: str
    discount_minor: int
    used_at: datetime
    undone_at: datetime | None = None
    position: int = 0  # where the till sent its code, among the purchase's codes


@dataclass(frozen=True, slots=True)
class CouponBatch:
    """Codes generated together, sharing their benefit, validity and limits."""

    batch_id: str
    name: str
    kind: CouponKind
    pattern: str | None
    count: int
    benefit: Benefit
    valid_from: datetime
    valid_until: datetime | None
    max_uses: int | None
    per_member_limit: int | None
    combinable: bool
    created_at: datetime
