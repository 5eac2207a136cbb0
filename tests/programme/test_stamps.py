"""Stamp cards on both engines: a return takes back the stamps its units gave.

The rule (docs/PROGRAMME.md, "Stamp cards and returns"): the returned units' stamps
come off the card; stamps that had already completed a card stay with the reward it
issued and are owed instead, settled by the next stamps on that card. The card never
shows fewer than zero stamps.
"""

from __future__ import annotations

from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.purchases import (
    PurchaseResult,
    ReturnResult,
)
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.purchases.purchase import LineStamps
from loyalo.domain.stamps import StampCard
from tests.programme.support import apply, buy_lines, enrol
from tests.programme.support import give_back as return_units

COFFEE_CARD: dict[str, Any] = {
    "currency": "PLN",
    "rules": [
        {
            "id": "coffee-stamps",
            "name": "Cafe stamp card",
            "lines": 'line.category == "coffee"',
            "exclude_skus": ["DECAF"],
            "effect": {"type": "stamps", "card": "coffee", "goal": 9, "reward": "free-coffee"},
        }
    ],
}


def coffee(quantity: int, sku: str = "LATTE") -> Line:
    return Line(sku, quantity, 1200, category="coffee")


def cake(quantity: int) -> Line:
    return Line("CAKE", quantity, 900, category="food")


def buy(container: Container, member: Member, *lines: Line) -> PurchaseResult:
    return buy_lines(container, member, *lines)


def give_back(container: Container, bought: PurchaseResult, **skus: int) -> ReturnResult:
    """Return units by SKU (none given: the whole receipt)."""
    return return_units(container, bought.purchase.purchase_id, *skus.items())


def card(container: Container, member: Member) -> StampCard:
    with container.ctx.uow() as uow:
        return uow.rules.stamp_cards(member.member_id).get("coffee", StampCard())


def rewards(container: Container, member: Member) -> list[str]:
    with container.ctx.uow() as uow:
        return [reward.reward for reward in uow.rules.rewards(member.member_id)]


def test_the_brief_three_coffees_one_returned_then_a_full_card_returned_in_part(
    container: Container,
) -> None:
    apply(container, **COFFEE_CARD)
    member = enrol(container, email="stamps@example.pl")

    # buy 3 coffees: 3 stamps; return 1: 2
    three = buy(container, member, coffee(3))
    assert card(container, member) == StampCard(stamps=3)
    give_back(container, three, LATTE=1)
    assert card(container, member) == StampCard(stamps=2)

    # buy 7 more coffees: the card (2 + 7) completes, the reward is issued, the card is at 0
    seven = buy(container, member, coffee(7))
    assert card(container, member) == StampCard(stamps=0, completed=1)
    assert rewards(container, member) == ["free-coffee"]

    # return 2 of those: the reward stays; the card shows 0 and owes the 2
    returned = give_back(container, seven, LATTE=2)
    assert card(container, member) == StampCard(stamps=0, owed=2, completed=1)
    assert rewards(container, member) == ["free-coffee"]
    assert [(e.kind, e.rule_id) for e in returned.effects if e.kind == "stamps_returned"] == [
        ("stamps_returned", "coffee-stamps")
    ]
    assert "2 had already completed a card" in returned.effects[-1].description

    # the next 3 coffees settle the 2 owed first: 1 on the card
    bought = buy(container, member, coffee(3))
    assert card(container, member) == StampCard(stamps=1, owed=0, completed=1)
    stamps = [e.description for e in bought.effects if e.kind == "stamps"]
    assert stamps == [
        "3 stamps on the coffee card (Cafe stamp card); 2 of them settle stamps a return took back"
    ]
    assert verify_ledger(container.ctx).findings == []


# (stamps per unit, coffees bought per purchase, returns as (purchase, units), card after)
CASES = [
    pytest.param(1, [3], [(0, 1)], StampCard(2), id="one back off the card"),
    pytest.param(1, [3], [(0, 1), (0, 1), (0, 1)], StampCard(0), id="all back in three parts"),
    pytest.param(2, [3], [(0, 1), (0, 2)], StampCard(0), id="two a unit, back in parts"),
    pytest.param(1, [8, 3], [(1, 3)], StampCard(0, 1, 1), id="half off the card, half owed"),
    pytest.param(1, [9], [(0, 9)], StampCard(0, 9, 1), id="a whole completed card owed"),
    pytest.param(1, [9, 4], [(0, 2)], StampCard(2, 0, 1), id="back from a later card"),
    pytest.param(1, [9], [(0, 2), (0, 7)], StampCard(0, 9, 1), id="owed in two returns"),
]


@pytest.mark.parametrize(("per_unit", "purchases", "returns", "after"), CASES)
def test_returns_take_back_exactly_the_stamps_of_the_returned_units(
    container: Container,
    per_unit: int,
    purchases: list[int],
    returns: list[tuple[int, int]],
    after: StampCard,
) -> None:
    document = {**COFFEE_CARD, "rules": [dict(COFFEE_CARD["rules"][0])]}
    document["rules"][0]["effect"] = {**document["rules"][0]["effect"], "per_unit": per_unit}
    apply(container, **document)
    member = enrol(container, email="table@example.pl")
    bought = [buy(container, member, coffee(quantity)) for quantity in purchases]

    for index, units in returns:
        give_back(container, bought[index], LATTE=units)

    assert card(container, member) == after
    assert len(rewards(container, member)) == after.completed  # no reward is ever taken back


def test_only_the_lines_that_earned_stamps_give_stamps_back(container: Container) -> None:
    # Given a basket with coffee, cake, an excluded decaf and more coffee under another SKU
    apply(container, **COFFEE_CARD)
    member = enrol(container, email="lines@example.pl")
    bought = buy(
        container, member, coffee(2), cake(2), coffee(1, sku="DECAF"), coffee(1, sku="FLAT")
    )
    assert card(container, member) == StampCard(stamps=3)
    assert bought.purchase.line_stamps == (
        LineStamps(0, "coffee-stamps", "coffee", 2),
        LineStamps(3, "coffee-stamps", "coffee", 1),
    )
    with container.ctx.uow() as uow:  # what the store kept is what the purchase recorded
        stored = uow.purchases.get(bought.purchase.purchase_id)
    assert stored is not None
    assert stored.line_stamps == bought.purchase.line_stamps

    # When the cake and the decaf go back, no stamp moves; the flat white takes one
    give_back(container, bought, CAKE=2, DECAF=1)
    assert card(container, member) == StampCard(stamps=3)
    give_back(container, bought, FLAT=1)
    assert card(container, member) == StampCard(stamps=2)

    # and the rest of the receipt takes back the two lattes
    give_back(container, bought)
    assert card(container, member) == StampCard(stamps=0)


def test_a_return_without_stamps_says_nothing_about_stamps(container: Container) -> None:
    apply(container, **COFFEE_CARD)
    member = enrol(container, email="cake@example.pl")
    bought = buy(container, member, cake(1))

    returned = give_back(container, bought)

    assert [e.kind for e in returned.effects] == ["points_returned"]
    assert card(container, member) == StampCard()
