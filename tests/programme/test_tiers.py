"""Tiers on both engines: the issue's ERPNext table, the brief's example, reviews and grace."""

from __future__ import annotations

from datetime import timedelta

import pytest

from loyalo.application.jobs import run_due
from loyalo.bootstrap.container import Container
from tests.programme.support import apply, buy, enrol, tier_of
from tests.support.clock import FakeClock

ERPNEXT = {
    "currency": "PLN",
    "tiers": {
        "metric": "money_spent",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": 0},
            {"id": "silver", "name": "Silver", "threshold": 10000},
            {"id": "gold", "name": "Gold", "threshold": 20000},
        ],
    },
}


@pytest.mark.parametrize(
    ("spent", "buys", "tier"),
    [(0, 6000, "bronze"), (0, 15000, "silver"), (8000, 3000, "silver"), (18000, 3000, "gold")],
)
def test_erpnext_tiers_by_lifetime_spend_including_this_purchase(
    container: Container, spent: int, buys: int, tier: str
) -> None:
    apply(container, **ERPNEXT)
    member = enrol(container, email="erp@example.pl")
    if spent:
        buy(container, member, spent * 100)
    result = buy(container, member, buys * 100)
    assert result.outcome is not None
    assert result.outcome.tier == tier  # the purchase itself got this tier's benefits
    assert tier_of(container, member) == tier


BRIEF_TIERS = {
    "metric": "points_earned",
    "window": "rolling",
    "months": 12,
    "grace_days": 30,
    "levels": [
        {"id": "bronze", "name": "Bronze", "threshold": 0, "benefits": {"discount_percent": 5}},
        {"id": "silver", "name": "Silver", "threshold": 500, "benefits": {"discount_percent": 10}},
        {"id": "gold", "name": "Gold", "threshold": 1000, "benefits": {"discount_percent": 15}},
    ],
}


def test_upgrade_at_once_downgrade_only_after_review_and_grace(
    container: Container, clock: FakeClock
) -> None:
    apply(container, currency="PLN", tiers=BRIEF_TIERS)
    member = enrol(container, email="grace@example.pl")
    buy(container, member, 40000)  # 380 points after 5% off
    assert tier_of(container, member) == "bronze"
    clock.advance(timedelta(hours=1))
    buy(container, member, 20000)  # 180 more: 560
    assert tier_of(container, member) == "silver"

    clock.advance(timedelta(days=200))
    run_due(container.ctx)
    assert tier_of(container, member) == "silver"  # no review before 12 months

    clock.advance(timedelta(days=170))  # the review: the window holds nothing now
    run_due(container.ctx)
    assert tier_of(container, member) == "silver"  # the grace starts
    clock.advance(timedelta(days=31))
    run_due(container.ctx)
    assert tier_of(container, member) == "bronze"
    with container.ctx.uow() as uow:
        history = [
            (h.from_tier, h.to_tier, h.reason)
            for h in container.tiers.history(uow, member.member_id)
        ]
    assert history == [
        (None, "bronze", "initial"),
        ("bronze", "silver", "upgrade"),
        ("silver", "bronze", "downgrade"),
    ]


def test_requalifying_during_the_grace_keeps_the_tier(
    container: Container, clock: FakeClock
) -> None:
    apply(container, currency="PLN", tiers=BRIEF_TIERS)
    member = enrol(container, email="keep@example.pl")
    buy(container, member, 60000)
    assert tier_of(container, member) == "silver"
    clock.advance(timedelta(days=366))
    run_due(container.ctx)  # review finds bronze: grace
    buy(container, member, 60000)  # 570 points in the window again
    clock.advance(timedelta(days=31))
    run_due(container.ctx)
    assert tier_of(container, member) == "silver"


def test_the_tier_discount_applies_at_the_till(container: Container) -> None:
    apply(container, currency="PLN", tiers=BRIEF_TIERS)
    member = enrol(container, email="disc@example.pl")
    first = buy(container, member, 10000)
    assert first.purchase.discount_minor == 500
    assert first.purchase.points_earned == 95
