"""Issuing personal coupons inside the caller's unit of work, cancelling what a source issued."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.benefits import DiscountBenefit, GiftBenefit
from loyalo.domain.coupons.codes import ALPHABET
from loyalo.domain.coupons.coupon import Coupon, CouponKind, CouponStatus
from loyalo.domain.errors import (
    CouponNotCancellable,
    CouponNotFound,
    GuessableCouponCodes,
    InvalidInput,
    MemberNotFound,
)
from loyalo.domain.members.member import Member
from tests.programme.support import enrol
from tests.support.clock import FakeClock

START = datetime(2026, 3, 1, tzinfo=UTC)
TEN_PERCENT = DiscountBenefit(percent=Decimal(10), maximum=Decimal("9.00"))


def issue(
    container: Container, member: Member, source_id: str | None = "p-1", **extra: object
) -> Coupon:
    with container.ctx.uow() as uow:
        coupon = container.coupons.issue_personal(
            uow,
            member_id=member.member_id,
            benefit=TEN_PERCENT,
            valid_from=START,
            valid_until=START + timedelta(days=30),
            source_type="purchase",
            source_id=source_id,
            **extra,  # type: ignore[arg-type]
        )
        uow.commit()
    return coupon


def test_a_personal_coupon_is_stored_with_a_60_bit_code(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    coupon = issue(container, member)
    assert re.fullmatch(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", coupon.code)
    with container.ctx.uow() as uow:
        stored = container.coupons.get(uow, coupon.code.lower())
    assert stored == coupon
    assert (stored.kind, stored.status, stored.max_uses, stored.uses) == (
        CouponKind.PERSONAL,
        CouponStatus.ACTIVE,
        1,
        0,
    )
    assert stored.benefit == TEN_PERCENT
    assert stored.member_id == member.member_id


def test_issuing_writes_nothing_until_the_caller_commits(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    with container.ctx.uow() as uow:
        coupon = container.coupons.issue_personal(
            uow,
            member_id=member.member_id,
            benefit=GiftBenefit(description="tote bag"),
            valid_from=START,
            valid_until=None,
            source_type="redemption",
            source_id="r-1",
        )
        uow.rollback()
    with container.ctx.uow() as uow, pytest.raises(CouponNotFound):
        container.coupons.get(uow, coupon.code)


def test_a_member_lists_their_coupons_newest_first(container: Container, clock: FakeClock) -> None:
    member = enrol(container, first_name="Ala")
    other = enrol(container, first_name="Ola")
    first = issue(container, member, "p-1")
    clock.advance(timedelta(minutes=1))
    second = issue(container, member, "p-2")
    issue(container, other, "p-3")
    with container.ctx.uow() as uow:
        listed = container.coupons.of_member(uow, member.member_id)
        page = container.coupons.of_member(uow, member.member_id, after=second.code)
    assert [c.code for c in listed] == [second.code, first.code]
    assert [c.code for c in page] == [first.code]


def test_cancel_unused_cancels_only_the_unused_coupons_of_that_source(
    container: Container,
) -> None:
    member = enrol(container, first_name="Ala")
    mine = [issue(container, member, "p-1"), issue(container, member, "p-1")]
    elsewhere = issue(container, member, "p-2")
    with container.ctx.uow() as uow:
        cancelled = container.coupons.cancel_unused(uow, source_type="purchase", source_id="p-1")
        uow.commit()
    assert sorted(c.code for c in cancelled) == sorted(c.code for c in mine)
    assert all(c.status is CouponStatus.CANCELLED for c in cancelled)
    with container.ctx.uow() as uow:
        assert all(
            container.coupons.get(uow, c.code).status is CouponStatus.CANCELLED for c in mine
        )
        assert container.coupons.get(uow, elsewhere.code).status is CouponStatus.ACTIVE
        again = container.coupons.cancel_unused(uow, source_type="purchase", source_id="p-1")
    assert again == []


def test_an_admin_cancel_is_idempotent(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    coupon = issue(container, member)
    with container.ctx.uow() as uow:
        first = container.coupons.cancel(uow, coupon.code)
        second = container.coupons.cancel(uow, coupon.code)
        uow.commit()
    assert first.status is second.status is CouponStatus.CANCELLED
    assert first.cancelled_at == second.cancelled_at


def test_a_used_up_coupon_cannot_be_cancelled(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    coupon = issue(container, member)
    with container.ctx.uow() as uow:
        assert uow.coupons.claim_use(coupon.coupon_id)
        assert not uow.coupons.claim_use(coupon.coupon_id)  # max_uses 1
        with pytest.raises(CouponNotCancellable):
            container.coupons.cancel(uow, coupon.code)
        assert container.coupons.get(uow, coupon.code).status is CouponStatus.USED


@pytest.mark.parametrize(
    ("pattern", "error"),
    [
        ("GIFT-####-####", GuessableCouponCodes),  # 40 bits
        ("###########", GuessableCouponCodes),  # 55 bits
        ("gift_####", InvalidInput),
    ],
)
def test_personal_codes_under_60_bits_are_refused(
    container: Container, pattern: str, error: type[Exception]
) -> None:
    member = enrol(container, first_name="Ala")
    with pytest.raises(error):
        issue(container, member, pattern=pattern)


def test_a_12_slot_pattern_with_a_prefix_is_accepted(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    coupon = issue(container, member, pattern="XMAS-######-######")
    assert coupon.code.startswith("XMAS-")
    assert len(coupon.code) == 18


def test_an_unknown_member_and_an_empty_validity_are_refused(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    with container.ctx.uow() as uow:
        with pytest.raises(MemberNotFound):
            container.coupons.issue_personal(
                uow,
                member_id="nobody",
                benefit=TEN_PERCENT,
                valid_from=START,
                valid_until=None,
                source_type="admin",
                source_id=None,
            )
        with pytest.raises(InvalidInput):
            container.coupons.issue_personal(
                uow,
                member_id=member.member_id,
                benefit=TEN_PERCENT,
                valid_from=START,
                valid_until=START,
                source_type="admin",
                source_id=None,
            )
