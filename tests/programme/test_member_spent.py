"""`member.spent` in a condition: what the member spent before this purchase, net of returns."""

from __future__ import annotations

from loyalo.bootstrap.container import Container
from tests.programme.support import apply, buy, enrol, give_back

LOYAL_BONUS = {
    "earning": {"points": 0},
    "rules": [
        {
            "id": "loyal",
            "name": "20 points once a member has spent 100.00",
            "when": "member.spent >= 100",
            "effect": {"type": "points", "points": 20},
        }
    ],
}


def test_member_spent_counts_what_came_before(container: Container) -> None:
    apply(container, **LOYAL_BONUS)
    member = enrol(container, email="spent@example.pl")
    first = buy(container, member, 15000)
    second = buy(container, member, 500)
    assert first.purchase.points_earned == 0  # nothing spent before the first purchase
    assert second.purchase.points_earned == 20
    give_back(container, first.purchase.purchase_id)
    third = buy(container, member, 500)
    assert third.purchase.points_earned == 0  # 5.00 spent, net of the return
