"""A backtest replays the codes each purchase used: the live replay still matches the ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from loyalo.application.purchases import PurchaseCommand, PurchaseResult
from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.benefits import DiscountBenefit, FreeProductBenefit
from loyalo.domain.purchases.basket import Line
from tests.coupons.support import START, personal
from tests.simulation.support import World, apply, changed
from tests.support.clock import FakeClock

LIVE: dict[str, Any] = {"name": "Shop", "currency": "PLN", "earning": {"points": 1, "per": 1}}


def buy(world: World, name: str, *lines: Line, codes: tuple[str, ...]) -> PurchaseResult:
    command = PurchaseCommand(
        member=f"ext:{name}",
        store_id="waw-01",
        receipt_id=f"C-{world.clock.now().isoformat()}",
        channel="pos",
        occurred_at=world.clock.now(),
        currency="PLN",
        total_minor=sum(line.total_minor for line in lines),
        lines=lines,
        codes=codes,
    )
    with world.container.ctx.uow() as uow:
        result = world.container.purchases.record(uow, command)
        uow.commit()
    return result


def test_the_live_replay_of_purchases_with_coupons_matches_the_ledger(
    container: Container, clock: FakeClock
) -> None:
    document = apply(container, LIVE)
    world = World(container, clock)
    ann = world.enrol("ann")
    ten = personal(container, ann, DiscountBenefit(percent=Decimal(10)), valid_from=START)
    five = personal(container, ann, DiscountBenefit(amount=Decimal(5)), valid_from=START)
    cake = personal(container, ann, FreeProductBenefit(sku="CAKE"), valid_from=START)
    first = buy(world, "ann", Line("A", 1, 10000), codes=(five.code, ten.code))
    assert first.purchase.points_earned == 85  # 100.00 - 10.00 - 5.00
    world.later(days=1)
    buy(world, "ann", Line("A", 1, 4000), Line("CAKE", 2, 900), codes=(cake.code,))
    world.later(days=1)
    world.give_back(first)  # the whole receipt: the two coupons come back
    world.later(days=1)
    world.buy("ann", Line("A", 1, 2000))

    comparison = world.backtest(document)

    assert comparison.live_matches_ledger
    for row in comparison.rows():
        assert row.live == row.candidate, row.key


def test_a_candidate_promotion_pushes_out_a_coupon_that_does_not_combine(
    container: Container, clock: FakeClock
) -> None:
    apply(container, LIVE)
    world = World(container, clock)
    ann = world.enrol("ann")
    solo = personal(
        container, ann, DiscountBenefit(percent=Decimal(20)), valid_from=START, combinable=False
    )
    buy(world, "ann", Line("A", 1, 10000), codes=(solo.code,))  # 80 points live
    promotion = {"id": "five", "name": "5% off", "effect": {"type": "discount", "percent": 5}}

    comparison = world.backtest(changed(LIVE, rules=[promotion]))

    assert comparison.live.points_issued == 80
    assert comparison.candidate.points_issued == 95  # the promotion alone: 100.00 - 5.00
