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
from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.benefits import Benefit
from loyalo.domain.coupons.codes import (
    DEFAULT_PERSONAL_PATTERN,
    CodePattern,
    RandomBits,
    draw_code,
    is_code,
    normalise_code,
    parse_pattern,
    require_personal_entropy,
)
from loyalo.domain.coupons.coupon import Coupon, CouponKind, CouponStatus
from loyalo.domain.errors import CouponNotCancellable, CouponNotFound, InvalidInput, MemberNotFound

_DRAWS = 8  # a 60-bit code drawn twice is all but impossible; a few tries bound the loop


class CodesExhausted(RuntimeError):
    """Every draw collided with a stored code: the pattern is far too small. A bug."""


def check_validity(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput("a coupon's validity ends after it starts", field="valid_until")


def fresh_codes(uow: UnitOfWork, pattern: CodePattern, count: int, random: RandomBits) -> list[str]:
    """``count`` different codes from ``pattern`` that no stored coupon has."""
    codes: set[str] = set()
    for _ in range(_DRAWS):
        drawn = {draw_code(pattern, random) for _ in range(count - len(codes))} - codes
        codes |= drawn - uow.coupons.taken(drawn)
        if len(codes) == count:
            return sorted(codes)
    raise CodesExhausted(f"pattern {pattern.text}: {len(codes)} of {count} codes after {_DRAWS}")


class CouponService:
    def __init__(self, ctx: AppContext, random: RandomBits | None = None) -> None:
        self._ctx = ctx
        self._random: RandomBits = random or secrets.SystemRandom()

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
        self, uow: UnitOfWork, member_id: str, *, limit: int = 50, before: datetime | None = None
    ) -> list[Coupon]:
        """The member's coupons, newest first (``before``: the last one's ``created_at``)."""
        return uow.coupons.of_member(member_id, limit, before)


def _cancelled(coupon: Coupon, at: datetime) -> Coupon:
    return replace(coupon, status=CouponStatus.CANCELLED, cancelled_at=at)
