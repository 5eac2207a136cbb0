"""Coupons issued to members, looked up, listed and cancelled.

Every method works inside the caller's unit of work and never commits: a
catalogue redemption, a rule's reward or a purchase issues its coupon in the
same transaction as the business write that gives it.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from loyalo.application.context import AppContext, new_id
from loyalo.application.coupons.batches import BatchRequest, BatchResult, CouponBatches, Progress
from loyalo.application.coupons.drawing import check_validity, fresh_codes
from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.benefits import Benefit
from loyalo.domain.coupons.codes import (
    DEFAULT_PERSONAL_PATTERN,
    RandomBits,
    is_code,
    normalise_code,
    parse_pattern,
    require_personal_entropy,
)
from loyalo.domain.coupons.coupon import Coupon, CouponKind, CouponStatus
from loyalo.domain.errors import CouponNotCancellable, CouponNotFound, MemberNotFound


class CouponService:
    def __init__(self, ctx: AppContext, random: RandomBits | None = None) -> None:
        self._ctx = ctx
        self._random: RandomBits = random or secrets.SystemRandom()
        self._batches = CouponBatches(ctx, self._random)

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
        pattern: str = DEFAULT_PERSONAL_PATTERN,
        combinable: bool = True,
    ) -> Coupon:
        """A single-use coupon for one member, with a code of at least 60 random bits."""
        if uow.members.get(member_id) is None:
            raise MemberNotFound(f"no member {member_id}")
        check_validity(valid_from, valid_until)
        code_pattern = parse_pattern(pattern)
        require_personal_entropy(code_pattern)
        (code,) = fresh_codes(uow, code_pattern, 1, self._random)
        coupon = Coupon(
            coupon_id=new_id(),
            code=code,
            kind=CouponKind.PERSONAL,
            benefit=benefit,
            member_id=member_id,
            valid_from=valid_from,
            valid_until=valid_until,
            max_uses=1,
            uses=0,
            status=CouponStatus.ACTIVE,
            source_type=source_type,
            source_id=source_id,
            batch_id=None,
            created_at=self._ctx.clock.now(),
            combinable=combinable,
        )
        uow.coupons.add([coupon])
        return coupon

    def generate_batch(
        self, uow: UnitOfWork, request: BatchRequest, progress: Progress | None = None
    ) -> BatchResult:
        """A batch of codes, all in the caller's unit of work (application/coupons/batches.py)."""
        return self._batches.generate(uow, request, progress)

    def cancel_unused(self, uow: UnitOfWork, *, source_type: str, source_id: str) -> list[Coupon]:
        """Cancel the coupons a source issued that were never used; the cancelled ones."""
        now = self._ctx.clock.now()
        cancelled: list[Coupon] = []
        for coupon in uow.coupons.issued_by(source_type, source_id):
            if uow.coupons.cancel(coupon.coupon_id, now, only_unused=True):
                cancelled.append(_cancelled(coupon, now))
        return cancelled

    def cancel(self, uow: UnitOfWork, code: str) -> Coupon:
        """Cancel a coupon that has uses left; cancelling it again changes nothing."""
        coupon = self.get(uow, code)
        if coupon.status is CouponStatus.CANCELLED:
            return coupon
        now = self._ctx.clock.now()
        if not uow.coupons.cancel(coupon.coupon_id, now, only_unused=False):
            raise CouponNotCancellable(f"coupon {coupon.code} is used up", code=coupon.code)
        return _cancelled(coupon, now)

    def get(self, uow: UnitOfWork, code: str) -> Coupon:
        wanted = normalise_code(code)
        coupon = uow.coupons.by_code(wanted) if is_code(wanted) else None
        if coupon is None:
            raise CouponNotFound(f"no coupon {wanted}", code=wanted)
        return coupon

    def of_member(
        self, uow: UnitOfWork, member_id: str, *, limit: int = 50, after: str | None = None
    ) -> list[Coupon]:
        """The member's coupons, newest first (``after``: the last code of the page before)."""
        return uow.coupons.of_member(member_id, limit, after)


def _cancelled(coupon: Coupon, at: datetime) -> Coupon:
    return replace(coupon, status=CouponStatus.CANCELLED, cancelled_at=at)
