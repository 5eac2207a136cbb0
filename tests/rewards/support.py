"""A catalogue programme and small drivers for the rewards tests."""

from __future__ import annotations

from typing import Any

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.rewards.redemptions import RedeemCommand, RedemptionResult
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from tests.programme.support import apply

CATALOGUE: list[dict[str, Any]] = [
    {
        "id": "coffee",
        "name": "A free coffee",
        "points": 90,
        "benefit": {"type": "free_product", "sku": "COFFEE"},
        "valid_days": 14,
    },
    {
        "id": "ten-off",
        "name": "10% off",
        "texts": {"pl": {"name": "10% rabatu", "description": "Na cały koszyk"}},
        "points": 200,
        "benefit": {"type": "discount", "percent": "10", "maximum": "20.00"},
        "limits": {"per_member": {"times": 1, "per": "month"}},
        "valid_days": 30,
    },
    {
        "id": "mug",
        "name": "Limited mug",
        "points": 100,
        "benefit": {"type": "gift", "description": "a mug"},
        "stock": 3,
        "limits": {"per_member": {"times": 1, "per": "ever"}},
    },
    {
        "id": "trees",
        "name": "Plant a tree",
        "points": 100,
        "benefit": {"type": "charity", "cause": "reforestation", "amount": "10.00"},
    },
    {
        "id": "cash",
        "name": "5.00 in the wallet",
        "points": 60,
        "benefit": {"type": "wallet_cashback", "amount": "5.00"},
    },
    {
        "id": "gala",
        "name": "Gold gala",
        "points": 50,
        "benefit": {"type": "event_invitation", "event": "gala-2026"},
        "eligibility": {"tiers": ["gold"]},
        "limits": {"total": {"times": 2, "per": "week"}},
    },
    {
        "id": "vip-lounge",
        "name": "VIP lounge",
        "points": 10,
        "benefit": {"type": "custom", "attributes": {"lounge": "A"}},
        "eligibility": {"flags": ["vip"]},
    },
    {
        "id": "delivery",
        "name": "Free delivery",
        "points": 20,
        "benefit": {"type": "free_delivery"},
        "eligibility": {"channels": ["app", "web"]},
    },
    {
        "id": "winter",
        "name": "Winter special",
        "points": 10,
        "benefit": {"type": "gift"},
        "available": {"starts": "2026-12-01T00:00:00", "ends": "2027-03-01T00:00:00"},
    },
    {"id": "free-sticker", "name": "A sticker", "points": 0, "benefit": {"type": "gift"}},
]

PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "tiers": {
        "metric": "points_earned",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": 0},
            {"id": "gold", "name": "Gold", "threshold": 1000, "benefits": {"flags": ["vip"]}},
        ],
    },
    "rules": [
        {
            "id": "coffee-stamps",
            "name": "Coffee card",
            "lines": 'line.category == "coffee"',
            "effect": {"type": "stamps", "card": "coffee", "goal": 2, "reward": "coffee"},
        },
        {
            "id": "check-in",
            "name": "A coffee for checking in",
            "trigger": "event",
            "event": "app_checkin",
            "effect": {"type": "issue_reward", "reward": "coffee"},
        },
        {
            "id": "review",
            "name": "Something the catalogue does not know",
            "trigger": "event",
            "event": "review_posted",
            "effect": {"type": "issue_reward", "reward": "thank-you-note"},
        },
    ],
    "rewards": CATALOGUE,
}


def apply_catalogue(container: Container, **changes: Any) -> int:
    return apply(container, **{**PROGRAMME, **changes})


def give(container: Container, member: Member, points: int) -> None:
    with container.ctx.uow() as uow:
        container.adjustments.adjust(
            uow, AdjustmentCommand(f"id:{member.member_id}", points, "test points", "test")
        )
        uow.commit()


def redeem(
    container: Container, member: Member, reward_id: str, channel: str = "app"
) -> RedemptionResult:
    with container.ctx.uow() as uow:
        result = container.rewards.redeem(
            uow, RedeemCommand(f"id:{member.member_id}", reward_id, channel, "test")
        )
        uow.commit()
    return result


def available(container: Container, member: Member) -> int:
    with container.ctx.uow() as uow:
        return uow.ledger.balance(member.member_id).available
