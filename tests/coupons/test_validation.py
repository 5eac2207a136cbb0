"""Whether a code may be used, before the basket is looked at: one reason per refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from loyalo.domain.coupons.benefits import (
    CharityBenefit,
    DiscountBenefit,
    FreeDeliveryBenefit,
    FreeProductBenefit,
    GiftBenefit,
)
from loyalo.domain.coupons.coupon import Coupon, CouponKind, CouponStatus
from loyalo.domain.coupons.validation import Reason, check_codes, coupon_refusal

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)

BASE = Coupon(
    coupon_id="c1",
    code="AAAA-BBBB-CCCC",
    kind=CouponKind.PERSONAL,
    benefit=DiscountBenefit(percent=Decimal(10)),
    member_id="m1",
    valid_from=NOW - DAY,
    valid_until=NOW + DAY,
    max_uses=1,
    uses=0,
    status=CouponStatus.ACTIVE,
    source_type="admin",
    source_id=None,
    batch_id=None,
    created_at=NOW - DAY,
)
SHARED = replace(BASE, kind=CouponKind.SHARED, member_id=None, max_uses=None, per_member_limit=2)


@pytest.mark.parametrize(
    ("coupon", "member", "at", "member_uses", "reason"),
    [
        (BASE, "m1", NOW, 0, None),
        (BASE, "m2", NOW, 0, Reason.ANOTHER_MEMBER),
        (BASE, "m1", NOW - 2 * DAY, 0, Reason.NOT_YET_VALID),
        (BASE, "m1", BASE.valid_from, 0, None),  # valid from the first instant
        (BASE, "m1", NOW + DAY, 0, Reason.EXPIRED),  # until: the first instant it is not
        (replace(BASE, valid_until=None), "m1", NOW + 999 * DAY, 0, None),
        (replace(BASE, uses=1, status=CouponStatus.USED), "m1", NOW, 0, Reason.USED_UP),
        (replace(BASE, status=CouponStatus.CANCELLED), "m1", NOW, 0, Reason.CANCELLED),
        # cancelled says more than expired or used up: it is checked first
        (
            replace(BASE, status=CouponStatus.CANCELLED, valid_until=NOW - DAY),
            "m1",
            NOW,
            0,
            Reason.CANCELLED,
        ),
        (replace(BASE, member_id=None), "anyone", NOW, 0, None),  # a bearer single-use code
        (replace(BASE, benefit=GiftBenefit()), "m1", NOW, 0, Reason.NOT_AT_THE_TILL),
        (
            replace(BASE, benefit=CharityBenefit(cause="trees", amount=Decimal(5))),
            "m1",
            NOW,
            0,
            Reason.NOT_AT_THE_TILL,
        ),
        (replace(BASE, benefit=FreeDeliveryBenefit()), "m1", NOW, 0, None),
        (replace(BASE, benefit=FreeProductBenefit(sku="A")), "m1", NOW, 0, None),
        (SHARED, "m9", NOW, 1, None),
        (SHARED, "m9", NOW, 2, Reason.MEMBER_LIMIT),
        (replace(SHARED, per_member_limit=None), "m9", NOW, 50, None),
    ],
)
def test_why_a_coupon_cannot_be_used(
    coupon: Coupon, member: str, at: datetime, member_uses: int, reason: Reason | None
) -> None:
    assert coupon_refusal(coupon, member, at, member_uses) is reason


def test_codes_are_checked_in_the_order_sent() -> None:
    one = replace(BASE, coupon_id="c1", code="ONE", batch_id="b1", member_id=None)
    two = replace(BASE, coupon_id="c2", code="TWO", batch_id="b1", member_id=None)
    three = replace(BASE, coupon_id="c3", code="THREE", batch_id="b2", member_id=None)
    expired = replace(BASE, coupon_id="c4", code="OLD", batch_id="b2", valid_until=NOW)
    found = {c.code: c for c in (one, two, three, expired)}
    checked = check_codes(["OLD", "ONE", "TWO", "ONE", "NONE", "THREE"], found, "m1", NOW, {})
    assert [(c.code, c.sent_at) for c in checked.to_apply] == [("ONE", 1), ("THREE", 5)]
    assert [(v.code, v.reason) for v in checked.refused] == [
        ("OLD", Reason.EXPIRED),  # a refused code does not take its batch's place
        ("TWO", Reason.ONE_PER_BATCH),
        ("ONE", Reason.REPEATED),
        ("NONE", Reason.UNKNOWN),
    ]
    assert "(ONE)" in checked.refused[1].detail


@pytest.mark.parametrize(
    ("limit", "applied", "too_many"),
    [(10, ["A", "B", "C"], []), (2, ["A", "B"], ["C"]), (0, [], ["A", "B", "C"])],
)
def test_codes_past_the_programme_s_limit_are_refused(
    limit: int, applied: list[str], too_many: list[str]
) -> None:
    found = {
        code: replace(BASE, coupon_id=code, code=code, member_id=None) for code in ("A", "B", "C")
    }
    checked = check_codes(["A", "B", "C"], found, "m1", NOW, {}, limit)
    assert [c.code for c in checked.to_apply] == applied
    assert [(v.code, v.reason) for v in checked.refused] == [
        (code, Reason.TOO_MANY) for code in too_many
    ]
