"""The history reader: time order in small chunks, one snapshot, and no writes, ever."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest
from sqlalchemy import Table, insert
from sqlalchemy.exc import DBAPIError

from loyalo.adapters.storage.history_reader import SqlHistoryReader, SqlHistorySource
from loyalo.adapters.storage.tables import PurchaseRow
from loyalo.application.simulation.service import records
from loyalo.bootstrap.container import Container
from loyalo.domain.programme.simulation.history import PastEvent, PastPurchase, PastReturn
from loyalo.domain.purchases.basket import Line
from tests.simulation.support import World, apply, item
from tests.support.clock import FakeClock

SHOP = {"currency": "PLN", "timezone": "Europe/Warsaw"}
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def _history(world: World) -> list[str]:
    world.enrol("ann")
    receipts = []
    for hour in range(4):
        labelled = Line("GIFT", 1, 1000, name="Gift", category="shop", labels=("gift-card",))
        delivery = Line("DELIVERY", 1, 990, delivery=True)
        bought = world.buy("ann", item("A", 500 + hour, 2), labelled, delivery)
        receipts.append(bought.purchase.purchase_id)
        world.later(hours=1)
    world.give_back(world.buy("ann", item("B", 700, 3)), B=2)
    return receipts


def test_records_come_in_time_order_whole_whatever_the_chunk_size(
    container: Container, clock: FakeClock
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    receipts = _history(world)

    with SqlHistorySource(container.engine, chunk_size=2)() as reader:
        replayed = list(records(reader, FAR))
        counts = reader.counts(FAR)
        returned = reader.returned_purchases(FAR)

    kinds = [type(record).__name__ for record in replayed]
    assert kinds == ["PastEvent", *["PastPurchase"] * 5, "PastReturn"]  # enrolment first
    assert [r.occurred_at for r in replayed] == sorted(r.occurred_at for r in replayed)
    purchases = [r for r in replayed if isinstance(r, PastPurchase)]
    assert [p.purchase_id for p in purchases[:4]] == receipts
    first = purchases[0]
    assert first.lines == (
        Line("A", 2, 500),
        Line("GIFT", 1, 1000, name="Gift", category="shop", labels=("gift-card",)),
        Line("DELIVERY", 1, 990, delivery=True),
    )
    assert first.total_minor == 2990
    assert first.occurred_at.tzinfo is UTC
    back = replayed[-1]
    assert isinstance(back, PastReturn)
    assert back.line_quantities == {0: 2}
    assert returned == {back.purchase_id: 1}
    assert (counts.purchases, counts.returns, counts.events) == (5, 1, 1)
    enrolled = replayed[0]
    assert isinstance(enrolled, PastEvent)
    assert enrolled.name == "member_enrolled"


def test_the_reader_cannot_write(container: Container, clock: FakeClock) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    _history(world)
    purchases = cast(Table, PurchaseRow.__table__)
    with SqlHistorySource(container.engine)() as reader:
        connection = cast(SqlHistoryReader, reader)._connection
        with pytest.raises(DBAPIError, match=r"(?i)read.?only"):
            connection.execute(insert(purchases).values(purchase_id="x"))


def test_a_snapshot_blocks_no_till_and_sees_no_later_sale(
    container: Container, clock: FakeClock
) -> None:
    apply(container, SHOP)
    world = World(container, clock)
    _history(world)
    with SqlHistorySource(container.engine)() as reader:
        before = reader.counts(FAR)
        world.buy("ann", item("C", 100))  # the till writes while the backtest reads
        assert reader.counts(FAR) == before
        assert sum(1 for _ in reader.purchases(FAR)) == before.purchases
    with SqlHistorySource(container.engine)() as reader:
        assert reader.counts(FAR).purchases == before.purchases + 1
