"""A small history built by hand through the services, with its dates, for the KPI tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.events import EventCommand
from loyalo.application.purchases import PurchaseCommand, PurchaseResult
from loyalo.application.reservations import ReserveCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.programme.support import apply, enrol, give_back
from tests.support.clock import FakeClock

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def move_to(container: Container, moment: datetime) -> None:
    clock = container.ctx.clock
    assert isinstance(clock, FakeClock)
    clock.advance(moment - clock.now())


def sale(
    container: Container, member: Member, minor: int, channel: str, store: str, receipt: str
) -> PurchaseResult:
    command = PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id=store,
        receipt_id=receipt,
        channel=channel,
        occurred_at=container.ctx.clock.now(),
        currency="PLN",
        total_minor=minor,
        lines=(Line("SKU", 1, minor),),
    )
    with container.ctx.uow() as uow:
        result = container.purchases.record(uow, command)
        uow.commit()
    return result


@dataclass(frozen=True)
class Shop:
    a: Member  # flagged vip
    b: Member
    c: Member
    d: Member  # joins in February
    e: Member  # never buys


def build_shop(container: Container) -> Shop:
    """January: A and B buy. February: A twice (one returned), C on the web, D joins and buys,
    B reviews a product (50 points), A redeems 30 points, C is given 5. March: A again."""
    apply(
        container,
        currency="PLN",
        redeem_points_per_unit=10,
        earning={"points": 1, "per": "1.00"},
        rules=[
            {
                "id": "product-review",
                "name": "50 points for a review",
                "trigger": "event",
                "event": "review_posted",
                "effect": {"type": "points", "points": 50},
            }
        ],
    )
    a = enrol(container, attributes={"flags": ["vip"]})
    b, c, e = enrol(container), enrol(container), enrol(container)
    move_to(container, at(1, 10))
    sale(container, a, 10_000, "pos", "s1", "J1")
    sale(container, b, 5_000, "pos", "s1", "J2")
    move_to(container, at(2, 5))
    returned = sale(container, a, 4_000, "pos", "s1", "F1")
    move_to(container, at(2, 6))
    sale(container, a, 6_000, "web", "e1", "F2")
    move_to(container, at(2, 10))
    sale(container, c, 3_000, "web", "e1", "F3")
    move_to(container, at(2, 12))
    d = enrol(container)
    sale(container, d, 2_500, "pos", "s2", "F4")
    move_to(container, at(2, 15))
    give_back(container, returned.purchase.purchase_id)
    move_to(container, at(2, 20))
    _event(container, b)
    move_to(container, at(2, 21))
    _redeem(container, a, 30)
    move_to(container, at(2, 22))
    _adjust(container, c, 5)
    move_to(container, at(3, 1))
    sale(container, a, 1_000, "pos", "s1", "M1")
    return Shop(a, b, c, d, e)


def _event(container: Container, member: Member) -> None:
    command = EventCommand(
        member=f"id:{member.member_id}", name="review_posted", attributes={"product_id": "x"}
    )
    with container.ctx.uow() as uow:
        container.events.record(uow, command)
        uow.commit()


def _redeem(container: Container, member: Member, points: int) -> None:
    command = ReserveCommand(
        member=f"id:{member.member_id}", points=points, store_id="s1", channel="pos"
    )
    with container.ctx.uow() as uow:
        hold = container.reservations.reserve(uow, command).hold
        uow.commit()
    with container.ctx.uow() as uow:
        container.reservations.commit(uow, hold.hold_id, points, store_id="s1")
        uow.commit()


def _adjust(container: Container, member: Member, points: int) -> None:
    command = AdjustmentCommand(f"id:{member.member_id}", points, "goodwill", "test")
    with container.ctx.uow() as uow:
        container.adjustments.adjust(uow, command)
        uow.commit()


def plain(value: Any) -> Any:
    """Money and Decimals as strings, for tables of expected values."""
    return None if value is None else str(value)
