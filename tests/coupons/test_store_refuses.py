"""The store itself refuses a double use, whatever the application does (both engines)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.coupon import CouponUse
from tests.coupons.support import ONE_PER_PLN, buy, command, personal
from tests.programme.support import apply, enrol

AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_second_live_use_of_a_single_use_coupon_is_refused(container: Container) -> None:
    apply(container, **ONE_PER_PLN)
    member = enrol(container, first_name="Ala")
    coupon = personal(container, member)
    first = buy(container, command(member)).purchase.purchase_id
    second = buy(container, command(member)).purchase.purchase_id
    with container.ctx.uow() as uow:
        uow.coupons.add_use(
            CouponUse("u1", coupon.coupon_id, first, member.member_id, 100, AT), single_use=True
        )
        uow.commit()
    with container.ctx.uow() as uow, pytest.raises(IntegrityError):
        uow.coupons.add_use(
            CouponUse("u2", coupon.coupon_id, second, member.member_id, 100, AT), single_use=True
        )
    with container.ctx.uow() as uow:  # once the first use is undone, another may be stored
        (use,) = uow.coupons.uses_of_purchase(first)
        assert uow.coupons.undo_use(use, AT)
        assert not uow.coupons.undo_use(use, AT)
        uow.coupons.add_use(
            CouponUse("u2", coupon.coupon_id, second, member.member_id, 100, AT), single_use=True
        )
        uow.commit()


def test_uses_never_pass_max_uses_in_the_store(container: Container) -> None:
    member = enrol(container, first_name="Ala")
    coupon = personal(container, member)
    with container.ctx.uow() as uow, pytest.raises(IntegrityError):
        uow.session.execute(  # type: ignore[attr-defined]
            text("UPDATE coupons SET uses = 2 WHERE coupon_id = :id"), {"id": coupon.coupon_id}
        )
