"""Challenges on both engines: progress as purchases and events arrive, the prize exactly once.

Decisions these tests hold (docs/guide/gamification.md):
- a resent receipt or event is replayed and counts nothing again;
- a challenge completes once per window; its prize is given in the same transaction;
- a return changes no progress: a completed challenge keeps its prize.
"""

from __future__ import annotations

from typing import Any

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container
from loyalo.domain.purchases.basket import Line
from tests.gamification.support import (
    at,
    buy,
    kinds,
    prize_entries,
    programme,
    progress,
    purchase_command,
    record,
    send,
)
from tests.programme.support import apply, balance, enrol, give_back

THREE_A_MONTH: dict[str, Any] = {
    "id": "three-a-month",
    "name": "Three visits a month",
    "goal": {"type": "purchases", "count": 3, "min_amount": "20.00"},
    "period": "month",
    "reward": {"points": 150},
}


def sale(amount_minor: int, category: str = "food", sku: str = "SKU") -> Line:
    return Line(sku, 1, amount_minor, category=category)


def test_three_purchases_in_a_month_complete_the_challenge_once(container: Container) -> None:
    apply(container, **programme(challenges=[THREE_A_MONTH]))
    member = enrol(container, email="three@example.pl")
    steps = [
        (at(3, 2), 2500, 1, False),
        (at(3, 5), 1500, 1, False),  # under 20.00: does not count
        (at(3, 10), 2000, 2, False),
        (at(3, 20), 9900, 3, True),
        (at(3, 28), 5000, 3, False),  # done for March: nothing more
    ]
    for when, amount, expected, completes in steps:
        result = buy(container, member, when, sale(amount))
        assert progress(container, member)["three-a-month", "2026-03"].progress == expected
        assert ("challenge_completed" in kinds(result.effects)) is completes
    row = progress(container, member)["three-a-month", "2026-03"]
    assert row.completed_at == at(3, 20)
    assert row.target == 3
    entries = prize_entries(container, member)
    assert len(entries) == 1
    provenance = entries[0].entry.provenance
    assert provenance.source_type == "challenge"
    assert provenance.rule_id == "challenge:three-a-month"
    assert provenance.extra["window"] == "2026-03"
    assert balance(container, member) == (150, 0)
    assert verify_ledger(container.ctx).ok


def test_the_next_month_starts_again(container: Container) -> None:
    apply(container, **programme(challenges=[THREE_A_MONTH]))
    member = enrol(container, email="again@example.pl")
    for day in (3, 4, 5):
        buy(container, member, at(3, day), sale(2000))
    buy(container, member, at(4, 1), sale(2000))
    rows = progress(container, member)
    assert rows["three-a-month", "2026-03"].progress == 3
    assert rows["three-a-month", "2026-04"].progress == 1
    assert rows["three-a-month", "2026-04"].completed_at is None
    assert balance(container, member) == (150, 0)


def test_a_resent_receipt_counts_nothing_again(container: Container) -> None:
    apply(container, **programme(challenges=[THREE_A_MONTH]))
    member = enrol(container, email="resend@example.pl")
    command = purchase_command(member, at(3, 2), sale(2500), receipt="R-RESENT")
    record(container, command)
    again = record(container, command)
    assert again.replayed
    assert progress(container, member)["three-a-month", "2026-03"].progress == 1


def test_a_completed_challenge_keeps_its_prize_after_a_return(container: Container) -> None:
    apply(container, **programme(challenges=[THREE_A_MONTH]))
    member = enrol(container, email="return@example.pl")
    results = [buy(container, member, at(3, day), sale(2000)) for day in (2, 3, 4)]
    back = give_back(container, results[-1].purchase.purchase_id)
    assert "challenge_progress" not in kinds(back.effects)
    assert progress(container, member)["three-a-month", "2026-03"].progress == 3
    assert balance(container, member) == (150, 0)
    assert verify_ledger(container.ctx).ok


def test_a_receipt_returned_in_full_no_longer_counts_towards_unfinished_progress(
    container: Container,
) -> None:
    apply(container, **programme(challenges=[THREE_A_MONTH]))
    member = enrol(container, email="full-return@example.pl")
    kept = buy(container, member, at(3, 2), Line("A", 2, 1500))
    returned = buy(container, member, at(3, 3), sale(2000))
    give_back(container, kept.purchase.purchase_id, ("A", 1))  # a part: still a purchase
    assert progress(container, member)["three-a-month", "2026-03"].progress == 2
    back = give_back(container, returned.purchase.purchase_id)
    assert kinds(back.effects)[-1] == "challenge_progress"
    assert progress(container, member)["three-a-month", "2026-03"].progress == 1
    give_back(container, kept.purchase.purchase_id, ("A", 1))  # the rest: now in full
    assert progress(container, member)["three-a-month", "2026-03"].progress == 0
    for day in (5, 6, 7):
        buy(container, member, at(3, day), sale(2000))
    row = progress(container, member)["three-a-month", "2026-03"]
    assert (row.progress, row.completed_at) == (3, at(3, 7))
    assert balance(container, member) == (150, 0)


def test_a_challenge_outside_its_dates_counts_nothing(container: Container) -> None:
    dated = {
        **THREE_A_MONTH,
        "period": None,
        "starts": "2026-03-10T00:00:00",
        "ends": "2026-03-20T00:00:00",
    }
    apply(container, **programme(challenges=[dated]))
    member = enrol(container, email="dates@example.pl")
    for day in (9, 10, 19, 20):
        buy(container, member, at(3, day), sale(2000))
    assert progress(container, member)["three-a-month", "once"].progress == 2


def test_only_the_tiers_named_take_part(container: Container) -> None:
    tiers = {
        "metric": "money_spent",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": 0},
            {"id": "gold", "name": "Gold", "threshold": 1000},
        ],
    }
    gold_only = {**THREE_A_MONTH, "tiers": ["gold"]}
    apply(container, **programme(tiers=tiers, challenges=[gold_only]))
    member = enrol(container, email="tiers@example.pl")
    buy(container, member, at(3, 2), sale(2000))  # bronze
    assert progress(container, member) == {}
    buy(container, member, at(3, 3), sale(200000))  # this purchase makes the member gold
    assert progress(container, member)["three-a-month", "2026-03"].progress == 1


REVIEWS: dict[str, Any] = {
    "id": "two-reviews",
    "name": "Review two products",
    "goal": {
        "type": "events",
        "event": "review_posted",
        "count": 2,
        "when": "event.rating >= 3",
        "distinct": "event.product_id",
    },
    "period": "month",
    "reward": {"badge": "critic", "points": 20},
}
CRITIC = {"id": "critic", "name": "Critic", "image": "https://example.com/critic.png"}


def test_two_reviews_of_two_products_give_the_badge_once(container: Container) -> None:
    apply(container, **programme(challenges=[REVIEWS], badges=[CRITIC]))
    member = enrol(container, email="critic@example.pl")
    send(container, member, "review_posted", at(3, 2), "e1", product_id="P1", rating=5)
    send(
        container, member, "review_posted", at(3, 3), "e2", product_id="P1", rating=4
    )  # same product
    send(container, member, "review_posted", at(3, 4), "e3", product_id="P2", rating=1)  # too low
    assert progress(container, member)["two-reviews", "2026-03"].progress == 1
    send(container, member, "review_posted", at(3, 4), "e3", product_id="P2", rating=1)  # resent
    done = send(container, member, "review_posted", at(3, 5), "e4", product_id="P2", rating=3)
    assert kinds(done.effects) == [
        "challenge_progress",
        "challenge_completed",
        "points_earned",
        "badge_awarded",
    ]
    assert done.balance.available == 20
    # April: the challenge again, but the badge is held once
    send(container, member, "review_posted", at(4, 2), "e5", product_id="P1", rating=5)
    april = send(container, member, "review_posted", at(4, 3), "e6", product_id="P2", rating=5)
    assert "challenge_completed" in kinds(april.effects)
    assert "badge_awarded" not in kinds(april.effects)
    with container.ctx.uow() as uow:
        badges = container.gamification.badges(uow, member.member_id)
    assert [(b.awarded.badge_id, b.awarded.source_type) for b in badges] == [
        ("critic", "challenge")
    ]
    assert badges[0].badge is not None
    assert badges[0].badge.image == "https://example.com/critic.png"
    assert len(prize_entries(container, member)) == 2
    assert verify_ledger(container.ctx).ok


def test_a_resent_event_key_counts_nothing_again(container: Container) -> None:
    counting = {**REVIEWS, "goal": {"type": "events", "event": "review_posted", "count": 5}}
    apply(container, **programme(challenges=[counting], badges=[CRITIC]))
    member = enrol(container, email="event-resend@example.pl")
    first = send(container, member, "review_posted", at(3, 2), "same", product_id="P1")
    again = send(container, member, "review_posted", at(3, 2), "same", product_id="P1")
    assert not first.replayed
    assert again.replayed
    assert progress(container, member)["two-reviews", "2026-03"].progress == 1


def test_new_categories_are_those_never_bought_before_the_window(container: Container) -> None:
    explorer = {
        "id": "explorer",
        "name": "Try two new categories",
        "goal": {"type": "new_category", "count": 2},
        "starts": "2026-03-10T00:00:00",
        "ends": "2026-04-01T00:00:00",
        "reward": {"reward": "free-coffee"},
    }
    apply(container, **programme(challenges=[explorer]))
    member = enrol(container, email="explorer@example.pl")
    buy(container, member, at(3, 1), sale(1000, "coffee"))  # before the window
    buy(container, member, at(3, 11), sale(1000, "coffee"), sale(900, "food", "CAKE"))
    assert progress(container, member)["explorer", "once"].progress == 1  # food only
    buy(container, member, at(3, 12), sale(900, "food", "CAKE"))  # already counted
    assert progress(container, member)["explorer", "once"].progress == 1
    tea = buy(container, member, at(3, 13), sale(700, "tea", "TEA"), sale(100, "food", "CAKE"))
    assert progress(container, member)["explorer", "once"].progress == 2
    give_back(container, tea.purchase.purchase_id)  # completed: it stays so
    assert progress(container, member)["explorer", "once"].completed_at == at(3, 13)
    done = tea
    with container.ctx.uow() as uow:
        rewards = uow.rules.rewards(member.member_id)
    assert [(r.reward, r.rule_id, r.source_type, r.source_id) for r in rewards] == [
        ("free-coffee", "explorer", "challenge", done.purchase.purchase_id)
    ]


def test_spend_counts_the_matching_lines_in_minor_units(container: Container) -> None:
    coffee_spend = {
        "id": "coffee-spend",
        "name": "50.00 of coffee",
        "goal": {"type": "spend", "amount": "50.00", "lines": 'line.category == "coffee"'},
        "period": "week",
        "reward": {"points": 75},
    }
    apply(container, **programme(challenges=[coffee_spend]))
    member = enrol(container, email="spend@example.pl")
    buy(container, member, at(3, 2), sale(3000, "coffee"), sale(9000, "food", "CAKE"))  # Monday
    assert progress(container, member)["coffee-spend", "2026-W10"].progress == 3000
    buy(container, member, at(3, 8), sale(2500, "coffee"))  # Sunday, the same ISO week
    row = progress(container, member)["coffee-spend", "2026-W10"]
    assert (row.progress, row.target) == (5000, 5000)
    assert row.completed_at == at(3, 8)
    assert balance(container, member) == (75, 0)


def test_a_prize_settles_a_debt_first(container: Container) -> None:
    """Prize points go through the ledger's earn movement: an earlier debt is settled first."""
    earning = {"points": 1, "per": "1.00", "exclude_skus": ["FREE"]}
    challenge = {**THREE_A_MONTH, "reward": {"points": 30}}
    apply(container, **programme(earning=earning, challenges=[challenge]))
    member = enrol(container, email="debt@example.pl")
    buy(container, member, at(3, 2), Line("SKU", 1, 2000))  # 20 points
    two = buy(container, member, at(3, 3), Line("SKU", 2, 1000))  # 20 points
    with container.ctx.uow() as uow:
        command = AdjustmentCommand(f"id:{member.member_id}", -40, "spent", "test")
        container.adjustments.adjust(uow, command)
        uow.commit()
    give_back(container, two.purchase.purchase_id, ("SKU", 1))  # 10 points owed
    done = buy(container, member, at(3, 4), Line("FREE", 1, 2000))  # no points of its own
    settled = [e for e in done.effects if e.kind == "debt_settled"]
    assert [(e.points, e.rule_id) for e in settled] == [(10, "challenge:three-a-month")]
    assert (done.balance.available, done.balance.debt) == (20, 0)
    assert verify_ledger(container.ctx).ok


def test_a_new_category_returned_in_full_can_count_again(container: Container) -> None:
    explorer = {
        "id": "explorer",
        "name": "Try two new categories",
        "goal": {"type": "new_category", "count": 2},
        "period": "month",
        "reward": {"points": 5},
    }
    apply(container, **programme(challenges=[explorer]))
    member = enrol(container, email="explorer-again@example.pl")
    tea = buy(container, member, at(3, 2), sale(700, "tea", "TEA"))
    assert progress(container, member)["explorer", "2026-03"].progress == 1
    give_back(container, tea.purchase.purchase_id)
    assert progress(container, member)["explorer", "2026-03"].progress == 0
    buy(container, member, at(3, 3), sale(700, "tea", "TEA"))
    assert progress(container, member)["explorer", "2026-03"].progress == 1
