"""Rewards that rules give: a completed stamp card or an ``issue_reward`` effect naming a
catalogue reward gives its coupon free, sourced to the purchase or event that caused it."""

from __future__ import annotations

from datetime import timedelta

from loyalo.application.events import EventCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.coupons.coupon import CouponStatus
from loyalo.domain.purchases.basket import Line
from tests.programme.support import buy_lines, enrol, give_back
from tests.rewards.support import apply_catalogue, available
from tests.support.clock import FakeClock


def coffee(quantity: int) -> Line:
    return Line("LATTE", quantity, 1200, category="coffee")


def test_a_full_stamp_card_gives_the_catalogue_coupon_free(
    container: Container, clock: FakeClock
) -> None:
    apply_catalogue(container)
    member = enrol(container, first_name="Ola")
    bought = buy_lines(container, member, coffee(2))  # goal 2: one card completed
    purchase_id = bought.purchase.purchase_id
    issued = [e for e in bought.effects if e.kind == "coupon_issued"]
    assert len(issued) == 1
    assert issued[0].rule_id == "coffee-stamps"
    with container.ctx.uow() as uow:
        (coupon,) = container.coupons.of_member(uow, member.member_id)
        redemptions = container.rewards.redemptions(uow, member.member_id, 10, None)
    assert (coupon.source_type, coupon.source_id) == ("stamp_card", purchase_id)
    assert coupon.benefit.type == "free_product"
    assert coupon.valid_until == clock.now() + timedelta(days=14)
    assert issued[0].description.startswith(f"A free coffee: coupon {coupon.code}")
    assert redemptions == []  # free: no redemption, no points burned
    assert available(container, member) == 24


def test_a_full_return_cancels_the_unused_coupons_the_purchase_gave(
    container: Container,
) -> None:
    rule = {
        "id": "big-basket",
        "name": "A coffee for a basket of 50.00",
        "min_order": 50,
        "effect": {"type": "issue_reward", "reward": "coffee"},
    }
    apply_catalogue(container, rules=[rule])
    member = enrol(container, first_name="Ola")
    bought = buy_lines(container, member, Line("BOOK", 1, 6000))
    returned = give_back(container, bought.purchase.purchase_id)
    assert [e.kind for e in returned.effects].count("coupon_cancelled") == 1
    with container.ctx.uow() as uow:
        coupons = container.coupons.of_member(uow, member.member_id)
    assert [c.status for c in coupons] == [CouponStatus.CANCELLED]


def test_a_full_return_of_the_sale_that_completed_a_card_takes_the_reward_back_once(
    container: Container,
) -> None:
    """The card owes the stamps back; its coupon stays: not both."""
    apply_catalogue(container)
    member = enrol(container, first_name="Ola")
    buy_lines(container, member, coffee(1))
    completing = buy_lines(container, member, coffee(1))  # goal 2: the card completes
    returned = give_back(container, completing.purchase.purchase_id)
    assert "coupon_cancelled" not in [e.kind for e in returned.effects]
    with container.ctx.uow() as uow:
        (coupon,) = container.coupons.of_member(uow, member.member_id)
        card = uow.rules.stamp_cards(member.member_id)["coffee"]
    assert coupon.status is CouponStatus.ACTIVE
    assert (card.stamps, card.owed) == (0, 1)  # one stamp of the next card is owed


def test_an_event_rule_gives_the_coupon_sourced_to_the_event(container: Container) -> None:
    apply_catalogue(container)
    member = enrol(container, first_name="Ola")
    with container.ctx.uow() as uow:
        result = container.events.record(
            uow, EventCommand(f"id:{member.member_id}", "app_checkin", event_key="c-1")
        )
        uow.commit()
    with container.ctx.uow() as uow:
        (coupon,) = container.coupons.of_member(uow, member.member_id)
    assert (coupon.source_type, coupon.source_id) == ("event", result.event.event_id)
    assert [e.kind for e in result.effects if e.kind == "coupon_issued"] == ["coupon_issued"]


def test_a_reward_the_catalogue_does_not_know_is_recorded_as_before(
    container: Container,
) -> None:
    apply_catalogue(container)
    member = enrol(container, first_name="Ola")
    with container.ctx.uow() as uow:
        result = container.events.record(
            uow, EventCommand(f"id:{member.member_id}", "review_posted", event_key="r-1")
        )
        uow.commit()
    with container.ctx.uow() as uow:
        assert container.coupons.of_member(uow, member.member_id) == []
        issued = [reward.reward for reward in uow.rules.rewards(member.member_id)]
    assert issued == ["thank-you-note"]
    assert [e.kind for e in result.effects] == ["reward_issued"]


def test_a_challenge_prize_naming_a_catalogue_reward_gives_its_coupon_once(
    container: Container,
) -> None:
    challenge = {
        "id": "two-coffees",
        "name": "Two coffee visits this month",
        "goal": {"type": "purchases", "count": 2},
        "period": "month",
        "reward": {"reward": "coffee"},
    }
    apply_catalogue(container, rules=[], challenges=[challenge])
    member = enrol(container, first_name="Ola")
    first = buy_lines(container, member, coffee(1))
    second = buy_lines(container, member, coffee(1))
    third = buy_lines(container, member, coffee(1))  # completed already: nothing more
    assert [e.kind for e in first.effects].count("coupon_issued") == 0
    assert [e.kind for e in second.effects].count("coupon_issued") == 1
    assert [e.kind for e in third.effects].count("coupon_issued") == 0
    with container.ctx.uow() as uow:
        (coupon,) = container.coupons.of_member(uow, member.member_id)
    assert (coupon.source_type, coupon.source_id) == ("challenge", second.purchase.purchase_id)
    assert coupon.benefit.type == "free_product"
    give_back(container, second.purchase.purchase_id)  # a won prize stays won
    with container.ctx.uow() as uow:
        assert container.coupons.get(uow, coupon.code).status is CouponStatus.ACTIVE
