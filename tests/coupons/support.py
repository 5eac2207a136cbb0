"""Coupons for tests: a programme, personal and shared codes, purchases that send codes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from loyalo.application.coupons.batches import BatchRequest, BatchResult
from loyalo.application.purchases import PurchaseCommand, PurchaseResult, Quote
from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.benefits import Benefit, DiscountBenefit
from loyalo.domain.coupons.coupon import Coupon, CouponKind
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line

START = datetime(2026, 2, 1, tzinfo=UTC)  # the test clock starts on 1 March 2026
END = START + timedelta(days=90)
ONE_PER_PLN: dict[str, Any] = {"currency": "PLN", "earning": {"points": 1}}
TEN_PERCENT = DiscountBenefit(percent=Decimal(10))

_receipts = itertools.count(1)


def personal(
    container: Container,
    member: Member,
    benefit: Benefit = TEN_PERCENT,
    *,
    source: tuple[str, str | None] = ("admin", None),
    valid_from: datetime = START,
    valid_until: datetime | None = END,
    combinable: bool = True,
) -> Coupon:
    with container.ctx.uow() as uow:
        coupon = container.coupons.issue_personal(
            uow,
            member_id=member.member_id,
            benefit=benefit,
            valid_from=valid_from,
            valid_until=valid_until,
            source_type=source[0],
            source_id=source[1],
            combinable=combinable,
        )
        uow.commit()
    return coupon


def batch(container: Container, **fields: Any) -> BatchResult:
    fields.setdefault("name", "test batch")
    fields.setdefault("kind", CouponKind.SHARED)
    fields.setdefault("benefit", TEN_PERCENT)
    fields.setdefault("valid_from", START)
    fields.setdefault("valid_until", END)
    with container.ctx.uow() as uow:
        result = container.coupons.generate_batch(uow, BatchRequest(**fields))
        uow.commit()
    return result


def command(
    member: Member, *codes: str, lines: tuple[Line, ...] | None = None, receipt: str | None = None
) -> PurchaseCommand:
    basket = lines or (Line("A", 1, 10000),)
    return PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="s1",
        receipt_id=receipt or f"R{next(_receipts)}",
        channel="pos",
        occurred_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        currency="PLN",
        total_minor=sum(line.total_minor for line in basket),
        lines=basket,
        codes=codes,
    )


def buy(container: Container, order: PurchaseCommand) -> PurchaseResult:
    with container.ctx.uow() as uow:
        result = container.purchases.record(uow, order)
        uow.commit()
    return result


def quote(container: Container, order: PurchaseCommand) -> Quote:
    with container.ctx.uow() as uow:
        return container.purchases.quote(uow, order)


def coupon(container: Container, code: str) -> Coupon:
    with container.ctx.uow() as uow:
        return container.coupons.get(uow, code)
