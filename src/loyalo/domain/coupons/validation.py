"""Whether a code may be used: the coupon's own state, then the codes sent together.

A code either applies, with the amount and the lines it comes off, or does not,
with a reason whose slug is stable (a till may match on it). The checks that do
not need the basket are made here; what the basket decides (nothing in it the
coupon applies to, a promotion it does not combine with) is decided by
``till.apply_coupons`` in the engine's discount stage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from loyalo.domain.coupons.benefits import TILL_BENEFITS, Benefit
from loyalo.domain.coupons.coupon import Coupon, CouponKind, CouponStatus


class Reason(StrEnum):
    UNKNOWN = "unknown-code"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    USED_UP = "used-up"
    MEMBER_LIMIT = "member-limit-reached"
    ANOTHER_MEMBER = "another-members-coupon"
    CANCELLED = "cancelled"
    NOT_AT_THE_TILL = "not-a-till-benefit"
    REPEATED = "code-repeated"
    TOO_MANY = "too-many-codes"
    ONE_PER_BATCH = "one-code-per-batch"
    NOTHING_TO_DISCOUNT = "nothing-to-discount"
    DOES_NOT_COMBINE = "does-not-combine"


TEXTS: Mapping[Reason, str] = {
    Reason.UNKNOWN: "no coupon has this code",
    Reason.NOT_YET_VALID: "the coupon is not valid yet",
    Reason.EXPIRED: "the coupon has expired",
    Reason.USED_UP: "the coupon has been used up",
    Reason.MEMBER_LIMIT: "the member has used this code as often as it allows",
    Reason.ANOTHER_MEMBER: "the coupon belongs to another member",
    Reason.CANCELLED: "the coupon was cancelled",
    Reason.NOT_AT_THE_TILL: "the coupon's benefit is handed over by staff, not taken off a basket",
    Reason.REPEATED: "the code was sent twice",
    Reason.TOO_MANY: "the purchase already has as many codes as the programme allows",
    Reason.ONE_PER_BATCH: "another code of the same batch is already on this purchase",
    Reason.NOTHING_TO_DISCOUNT: "nothing in the basket is left for the coupon to discount",
    Reason.DOES_NOT_COMBINE: "the coupon does not combine with other coupons or promotions",
}
NO_COUPONS_WITH_PROMOTIONS = "the programme does not combine coupons with promotions"


@dataclass(frozen=True, slots=True)
class CouponVerdict:
    """What a code does for this purchase: ``amount_minor`` off ``lines``, or ``reason``."""

    code: str
    reason: Reason | None = None
    amount_minor: int = 0
    lines: dict[int, int] = field(default_factory=dict)  # line index -> minor units off
    coupon_id: str | None = None
    detail: str = ""
    sent_at: int = 0  # its position among the codes the till sent

    @property
    def applies(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class TillCoupon:
    """A code that passed every check but the basket's: what the engine applies."""

    code: str
    coupon_id: str
    benefit: Benefit
    combinable: bool = True
    sent_at: int = 0  # its position among the codes the till sent


def refused(
    code: str, reason: Reason, coupon_id: str | None = None, detail: str = ""
) -> CouponVerdict:
    return CouponVerdict(code, reason, coupon_id=coupon_id, detail=detail or TEXTS[reason])


def coupon_refusal(coupon: Coupon, member_id: str, at: datetime, member_uses: int) -> Reason | None:
    """Why this coupon cannot be used by this member at this time, or None."""
    if coupon.status is CouponStatus.CANCELLED:
        return Reason.CANCELLED
    if at < coupon.valid_from:
        return Reason.NOT_YET_VALID
    if coupon.valid_until is not None and at >= coupon.valid_until:
        return Reason.EXPIRED
    if coupon.member_id is not None and coupon.member_id != member_id:
        return Reason.ANOTHER_MEMBER
    if coupon.status is CouponStatus.USED:
        return Reason.USED_UP
    limit = coupon.per_member_limit
    if coupon.kind is CouponKind.SHARED and limit is not None and member_uses >= limit:
        return Reason.MEMBER_LIMIT
    if not isinstance(coupon.benefit, TILL_BENEFITS):
        return Reason.NOT_AT_THE_TILL
    return None


@dataclass(frozen=True, slots=True)
class Checked:
    """The codes sent, checked: those the engine is to apply, and those refused already."""

    to_apply: tuple[TillCoupon, ...]
    refused: tuple[CouponVerdict, ...]


def check_codes(
    codes: Sequence[str],
    found: Mapping[str, Coupon],
    member_id: str,
    at: datetime,
    member_uses: Mapping[str, int],
    limit: int = 10,
) -> Checked:
    """Each code in the order sent: a repeat, a second code of one batch, or a code past
    ``limit`` (the programme's codes per purchase) is refused."""
    to_apply: list[TillCoupon] = []
    refusals: list[CouponVerdict] = []
    seen: set[str] = set()
    batches: dict[str, str] = {}  # batch id -> the code of it already on the purchase
    for position, code in enumerate(codes):
        coupon = found.get(code)
        if code in seen:
            refusals.append(refused(code, Reason.REPEATED))
            continue
        seen.add(code)
        if len(seen) > limit:
            refusals.append(refused(code, Reason.TOO_MANY))
            continue
        if coupon is None:
            refusals.append(refused(code, Reason.UNKNOWN))
            continue
        reason = coupon_refusal(coupon, member_id, at, member_uses.get(coupon.coupon_id, 0))
        if reason is None and coupon.batch_id is not None and coupon.batch_id in batches:
            reason = Reason.ONE_PER_BATCH
            detail = f"{TEXTS[reason]} ({batches[coupon.batch_id]})"
            refusals.append(refused(code, reason, coupon.coupon_id, detail))
            continue
        if reason is not None:
            refusals.append(refused(code, reason, coupon.coupon_id))
            continue
        if coupon.batch_id is not None:
            batches[coupon.batch_id] = code
        to_apply.append(
            TillCoupon(code, coupon.coupon_id, coupon.benefit, coupon.combinable, position)
        )
    return Checked(tuple(to_apply), tuple(refusals))
