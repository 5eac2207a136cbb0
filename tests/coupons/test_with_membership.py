"""A paid plan's member prices and discount are the member's benefit, not a promotion: a
coupon that must not combine with promotions still applies on top of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from loyalo.application.memberships.service import PaymentCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.purchases.basket import Line
from tests.coupons.support import command, personal, quote
from tests.memberships.support import CLUB
from tests.programme.support import apply, enrol


@pytest.mark.parametrize(
    ("with_promotions", "combinable"), [(True, False), (False, True), (False, False)]
)
def test_a_club_members_coupon_applies_over_the_plans_discount(
    container: Container, with_promotions: bool, combinable: bool
) -> None:
    apply(
        container,
        currency="PLN",
        memberships=[CLUB],
        coupons={"with_promotions": with_promotions},
    )
    member = enrol(container, first_name="Ala")
    with container.ctx.uow() as uow:
        paid_at = datetime(2026, 2, 27, 12, tzinfo=UTC)
        payment = PaymentCommand(f"id:{member.member_id}", "club", 1900, "PLN", paid_at, "PAY-1")
        container.memberships.pay(uow, payment)
        uow.commit()
    ten = personal(container, member, combinable=combinable)
    basket = (Line("CROISSANT", 1, 10000, category="bakery"),)

    quoted = quote(container, command(member, ten.code, lines=basket))

    sources = [discount.source.value for discount in quoted.outcome.discounts]
    assert sources == ["membership", "coupon"]
    assert [(v.code, v.applies, v.reason) for v in quoted.coupons] == [(ten.code, True, None)]
