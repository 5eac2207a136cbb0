"""Codes on the purchase path, on both engines: quoted, used once, given back by a full return."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.benefits import DiscountBenefit, FreeDeliveryBenefit, GiftBenefit
from loyalo.domain.coupons.coupon import CouponKind, CouponStatus
from loyalo.domain.coupons.validation import Reason
from loyalo.domain.errors import CouponNotApplicable
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.coupons.support import (
    END,
    ONE_PER_PLN,
    START,
    batch,
    buy,
    command,
    coupon,
    personal,
    quote,
)
from tests.programme.support import apply, enrol, give_back


@pytest.fixture
def member(container: Container) -> Member:
    apply(container, **ONE_PER_PLN)
    return enrol(container, first_name="Ala")


def test_a_10_percent_coupon_on_100_takes_10_off_and_earns_90_points(
    container: Container, member: Member
) -> None:
    ten = personal(container, member)
    result = buy(container, command(member, ten.code.lower()))
    assert result.purchase.discount_minor == 1000
    assert result.purchase.paid_minor == 9000
    assert result.purchase.points_earned == 90
    assert result.balance.available == 90
    assert [(d.rule_id, d.source, d.amount_minor) for d in result.purchase.discounts] == [
        (f"coupon:{ten.code}", "coupon", 1000)
    ]
    assert result.effects[0].kind == "coupon_used"
    used = coupon(container, ten.code)
    assert (used.uses, used.status) == (1, CouponStatus.USED)
    with container.ctx.uow() as uow:
        (use,) = uow.coupons.uses_of_purchase(result.purchase.purchase_id)
    assert (use.coupon_id, use.member_id, use.discount_minor) == (
        ten.coupon_id,
        member.member_id,
        1000,
    )
    assert verify_ledger(container.ctx).ok


def test_a_resent_receipt_does_not_use_the_code_again(container: Container, member: Member) -> None:
    ten = personal(container, member)
    order = command(member, ten.code)
    first = buy(container, order)
    again = buy(container, order)
    assert again.replayed
    assert again.purchase.purchase_id == first.purchase.purchase_id
    assert again.balance.available == 90
    assert coupon(container, ten.code).uses == 1


def test_a_used_coupon_refuses_the_next_purchase_whole(
    container: Container, member: Member
) -> None:
    ten = personal(container, member)
    buy(container, command(member, ten.code))
    with pytest.raises(CouponNotApplicable) as refused:
        buy(container, command(member, ten.code, receipt="R-second"))
    assert refused.value.extensions == {"code": ten.code, "reason": "used-up"}
    with container.ctx.uow() as uow:
        assert uow.purchases.by_receipt("s1", "R-second") is None
        assert uow.ledger.balance(member.member_id).available == 90


def test_the_quote_says_why_each_code_does_or_does_not_apply(
    container: Container, member: Member
) -> None:
    other = enrol(container, first_name="Ola")
    ok = personal(container, member)
    theirs = personal(container, other)
    later = personal(container, member, valid_from=START + timedelta(days=60))
    gone = personal(container, member, valid_until=START + timedelta(days=1))
    cancelled = personal(container, member)
    gift = personal(container, member, GiftBenefit(description="tote bag"))
    ship = personal(container, member, FreeDeliveryBenefit())
    with container.ctx.uow() as uow:
        container.coupons.cancel(uow, cancelled.code)
        uow.commit()
    codes = [
        ok.code,
        "NO-SUCH-CODE",
        theirs.code,
        later.code,
        gone.code,
        cancelled.code,
        gift.code,
        ship.code,
        ok.code,
    ]
    result = quote(container, command(member, *codes))
    assert [(v.code, v.reason) for v in result.coupons] == [
        (ok.code, None),
        ("NO-SUCH-CODE", Reason.UNKNOWN),
        (theirs.code, Reason.ANOTHER_MEMBER),
        (later.code, Reason.NOT_YET_VALID),
        (gone.code, Reason.EXPIRED),
        (cancelled.code, Reason.CANCELLED),
        (gift.code, Reason.NOT_AT_THE_TILL),
        (ship.code, Reason.NOTHING_TO_DISCOUNT),  # no delivery line
        (ok.code, Reason.REPEATED),
    ]
    assert result.coupons[0].amount_minor == 1000
    assert result.to_pay_minor == 9000
    assert result.outcome.points == 90
    assert coupon(container, ok.code).uses == 0  # a quote writes nothing


def test_a_purchase_with_a_code_that_does_not_apply_is_refused(
    container: Container, member: Member
) -> None:
    ok = personal(container, member)
    with pytest.raises(CouponNotApplicable) as refused:
        buy(container, command(member, ok.code, "NO-SUCH-CODE"))
    assert refused.value.extensions["reason"] == "unknown-code"
    assert coupon(container, ok.code).uses == 0


def test_a_full_return_restores_the_coupon_it_used(container: Container, member: Member) -> None:
    ten = personal(container, member)
    bought = buy(container, command(member, ten.code))
    returned = give_back(container, bought.purchase.purchase_id)
    assert returned.record.points_taken == 90
    assert "coupon_restored" in [e.kind for e in returned.effects]
    restored = coupon(container, ten.code)
    assert (restored.uses, restored.status) == (0, CouponStatus.ACTIVE)
    again = buy(container, command(member, ten.code))
    assert again.purchase.discount_minor == 1000
    assert coupon(container, ten.code).uses == 1
    assert verify_ledger(container.ctx).ok


def test_a_partial_return_keeps_the_coupon_used(container: Container, member: Member) -> None:
    ten = personal(container, member)
    lines = (Line("A", 1, 6000), Line("B", 1, 4000))
    bought = buy(container, command(member, ten.code, lines=lines))
    assert bought.purchase.points_earned == 90  # 54 on A, 36 on B
    partly = give_back(container, bought.purchase.purchase_id, ("B", 1))
    assert partly.record.points_taken == 36
    assert coupon(container, ten.code).status is CouponStatus.USED
    rest = give_back(container, bought.purchase.purchase_id, ("A", 1))  # now it is all back
    assert "coupon_restored" in [e.kind for e in rest.effects]
    assert coupon(container, ten.code).status is CouponStatus.ACTIVE


def test_a_full_return_cancels_an_unused_coupon_the_purchase_issued(
    container: Container, member: Member
) -> None:
    bought = buy(container, command(member))
    source = ("purchase", bought.purchase.purchase_id)
    unused = personal(container, member, source=source)
    used = personal(container, member, source=source)
    buy(container, command(member, used.code))
    returned = give_back(container, bought.purchase.purchase_id)
    assert [e.description for e in returned.effects if e.kind == "coupon_cancelled"] == [
        f"coupon {unused.code}, issued by this purchase, was cancelled"
    ]
    assert coupon(container, unused.code).status is CouponStatus.CANCELLED
    assert coupon(container, used.code).status is CouponStatus.USED


def test_a_shared_code_counts_uses_in_total_and_per_member(
    container: Container, member: Member
) -> None:
    other = enrol(container, first_name="Ola")
    third = enrol(container, first_name="Ela")
    (promo,) = batch(container, pattern="SPRING10", count=1, max_uses=3, per_member_limit=2).coupons
    buy(container, command(member, "spring10"))
    buy(container, command(member, "SPRING10"))
    assert quote(container, command(member, "SPRING10")).coupons[0].reason is Reason.MEMBER_LIMIT
    buy(container, command(other, "SPRING10"))
    assert quote(container, command(third, "SPRING10")).coupons[0].reason is Reason.USED_UP
    stored = coupon(container, promo.code)
    assert (stored.uses, stored.status) == (3, CouponStatus.USED)


def test_one_code_per_batch_on_a_purchase(container: Container, member: Member) -> None:
    first, second = batch(container, pattern="EASTER-########", count=2).coupons
    result = quote(container, command(member, first.code, second.code))
    assert [v.reason for v in result.coupons] == [None, Reason.ONE_PER_BATCH]


def test_a_coupon_that_does_not_combine_refuses_a_second_code(
    container: Container, member: Member
) -> None:
    solo = personal(container, member, DiscountBenefit(percent=Decimal(20)), combinable=False)
    ten = personal(container, member)
    result = quote(container, command(member, solo.code, ten.code))
    assert [(v.code, v.reason) for v in result.coupons] == [
        (solo.code, Reason.DOES_NOT_COMBINE),
        (ten.code, None),
    ]
    alone = quote(container, command(member, solo.code))
    assert alone.coupons[0].amount_minor == 2000


def test_cancel_unused_of_an_unknown_purchase_does_nothing(container: Container) -> None:
    with container.ctx.uow() as uow:
        assert container.coupons.cancel_unused(uow, source_type="purchase", source_id="x") == []


def test_a_personal_batch_for_members(container: Container, member: Member) -> None:
    other = enrol(container, first_name="Ola")
    result = batch(
        container,
        kind=CouponKind.PERSONAL,
        members=(f"id:{member.member_id}", f"id:{other.member_id}"),
        valid_until=END,
    )
    owners = sorted(c.member_id or "" for c in result.coupons)
    assert owners == sorted([member.member_id, other.member_id])
    mine = next(c for c in result.coupons if c.member_id == member.member_id)
    theirs = next(c for c in result.coupons if c.member_id == other.member_id)
    verdicts = quote(container, command(member, mine.code, theirs.code)).coupons
    assert [v.reason for v in verdicts] == [None, Reason.ANOTHER_MEMBER]


def test_the_programme_limits_the_codes_on_a_purchase(container: Container) -> None:
    apply(container, **ONE_PER_PLN, coupons={"max_per_purchase": 1})
    member = enrol(container, first_name="Ala")
    first, second = personal(container, member), personal(container, member)
    result = quote(container, command(member, first.code, second.code))
    assert [v.reason for v in result.coupons] == [None, Reason.TOO_MANY]


def test_a_repeated_code_is_reported_where_it_was_sent(
    container: Container, member: Member
) -> None:
    ok = personal(container, member)
    result = quote(container, command(member, ok.code, ok.code.lower(), "NOPE"))
    assert [(v.code, v.reason) for v in result.coupons] == [
        (ok.code, None),
        (ok.code, Reason.REPEATED),
        ("NOPE", Reason.UNKNOWN),
    ]
    assert result.to_pay_minor == 9000  # applied once


@pytest.mark.parametrize(
    ("benefit", "lines", "discount", "points"),
    [
        # the reward: 10% on the basket, at most 9.00, on a basket of 120.00
        (
            DiscountBenefit(percent=Decimal(10), maximum=Decimal("9.00")),
            (Line("A", 1, 12000),),
            900,
            111,
        ),
        # a fixed amount larger than the basket is capped at the basket: nothing left to earn on
        (DiscountBenefit(amount=Decimal("500.00")), (Line("A", 2, 4000),), 8000, 0),
    ],
)
def test_exact_purchases_with_a_coupon(
    container: Container,
    member: Member,
    benefit: DiscountBenefit,
    lines: tuple[Line, ...],
    discount: int,
    points: int,
) -> None:
    code = personal(container, member, benefit).code
    result = buy(container, command(member, code, lines=lines))
    assert (result.purchase.discount_minor, result.purchase.points_earned) == (discount, points)
    assert verify_ledger(container.ctx).ok
