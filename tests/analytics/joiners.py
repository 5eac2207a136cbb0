"""Members who join on given days, with purchases recorded before and after (history imported
for them, dated earlier), for the matched baseline and spend around joining.

The calendar: 2026-03-02 is a Monday. A member joining on Wednesday 4 March joins in the
week of 2 March; with 28-day windows, "before" is 2 February to 1 March, "after" 9 March to
5 April, and the controls of that week are the members who joined on 6 April or later. The
store is exported on 1 May 2026, 10:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from loyalo.application.purchases import PurchaseCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import Period
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.analytics.support import move_to
from tests.programme.support import apply, enrol

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
OBSERVED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))
WINDOW = 28


@dataclass(frozen=True)
class Buy:
    day: date
    minor: int  # what was paid
    channel: str = "pos"


@dataclass(frozen=True)
class Customer:
    name: str
    joins: date  # enrolled at 10:00 UTC that day
    buys: tuple[Buy, ...] = field(default=())


def march(day: int) -> date:
    return date(2026, 3, day)


def build_joiners(container: Container, customers: list[Customer]) -> dict[str, Member]:
    """Enrol each customer on their day (in date order), then record every purchase, at noon
    of its day, and export the store at ``OBSERVED``."""
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"})
    members: dict[str, Member] = {}
    for customer in sorted(customers, key=lambda c: c.joins):
        move_to(container, datetime.combine(customer.joins, time(10), UTC))
        members[customer.name] = enrol(container, external_id=customer.name)
    move_to(container, OBSERVED)
    for customer in customers:
        for number, buy in enumerate(customer.buys, start=1):
            _record(container, members[customer.name], buy, f"{customer.name}-{number}")
    container.analytics.export()
    return members


def _record(container: Container, member: Member, buy: Buy, receipt: str) -> None:
    command = PurchaseCommand(
        member=f"id:{member.member_id}",
        store_id="web-1" if buy.channel == "web" else "s1",
        receipt_id=receipt,
        channel=buy.channel,
        occurred_at=datetime.combine(buy.day, time(12), UTC),
        currency="PLN",
        total_minor=buy.minor,
        lines=(Line("SKU", 1, buy.minor),),
    )
    with container.ctx.uow() as uow:
        container.purchases.record(uow, command)
        uow.commit()


# The cast, each with what they bought (PLN minor units; before / joining week / after the
# 28-day windows of their own joining week where they join in March).
ANN = Customer(  # joins Wed 4 March: before 100.00; 500.00 in her joining week; after 150.00
    "ann",
    march(4),
    (
        Buy(date(2026, 2, 10), 10_000),
        Buy(march(3), 50_000),
        Buy(march(12), 8_000),
        Buy(march(20), 7_000),
    ),
)
ANN_WEB = Customer(  # ann, with her last purchase on the web
    "ann",
    march(4),
    (
        Buy(date(2026, 2, 10), 10_000),
        Buy(march(3), 50_000),
        Buy(march(12), 8_000),
        Buy(march(20), 7_000, "web"),
    ),
)
BOB = Customer(  # joins 20 April: a control of the week of 2 March; 60.00 then 70.00
    "bob", date(2026, 4, 20), (Buy(date(2026, 2, 20), 6_000), Buy(march(25), 7_000))
)
CAT = Customer(  # joins 10 April: a control of the week of 2 March; 40.00 then nothing
    "cat", date(2026, 4, 10), (Buy(date(2026, 2, 25), 4_000),)
)
DAN = Customer(  # joins 30 March: inside the week of 2 March's after window, so no control
    "dan", march(30), (Buy(date(2026, 2, 15), 9_000),)
)
EVE = Customer(  # joins Thu 5 March: two orders before (60.00), 100.00 after
    "eve",
    march(5),
    (Buy(date(2026, 2, 5), 3_000), Buy(date(2026, 2, 6), 3_000), Buy(march(15), 10_000)),
)
GUS = Customer(  # joins 15 April: a control with two orders before (40.00), 20.00 after
    "gus",
    date(2026, 4, 15),
    (Buy(date(2026, 2, 3), 2_000), Buy(date(2026, 2, 4), 2_000), Buy(date(2026, 3, 16), 2_000)),
)
HAL = Customer(  # joins 10 March (the week of 9 March) and buys only after
    "hal", march(10), (Buy(march(20), 5_000),)
)
