"""How coupon codes combine at the till (docs/guide/coupons.md)."""

from __future__ import annotations

from pydantic import Field

from loyalo.domain.programme.document.base import Part

MAX_CODES_PER_PURCHASE = 10


class CouponPolicy(Part):
    max_per_purchase: int = Field(default=MAX_CODES_PER_PURCHASE, ge=0, le=MAX_CODES_PER_PURCHASE)
    """Codes one purchase may use; the codes sent after these are refused (0: none)."""
    with_promotions: bool = True
    """False: no code applies to a purchase a discount or progressive-discount rule discounts."""
