"""A programme with paid plans, and builders for membership API calls."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

_references = itertools.count(1)

CLUB: dict[str, Any] = {
    "id": "club",
    "name": "Club card",
    "fee": "19.00",
    "period": "month",
    "grace_days": 3,
    "benefits": {
        "earn_multiplier": "2",
        "free_delivery": True,
        "member_prices": {"CAPPUCCINO": "9.00"},
        "discount_percent": "10",
        "discount_categories": ["bakery"],
    },
}
PREMIUM: dict[str, Any] = {"id": "premium", "name": "Premium", "fee": "199.00", "period": "year"}

PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "pending_days": 0,
    "earning": {"points": 1, "per": "1.00"},
    "delivery_skus": ["DELIVERY"],
    "memberships": [CLUB, PREMIUM],
}

# 79.00 as rung up; a club member pays 57.00: the cappuccinos at the member price (-6.00),
# 10% off the croissant (-1.00), free delivery (-15.00); the book at its price.
BASKET: list[dict[str, Any]] = [
    {"sku": "CAPPUCCINO", "quantity": 2, "unit_price": "12.00"},
    {"sku": "CROISSANT", "quantity": 1, "unit_price": "10.00", "category": "bakery"},
    {"sku": "BOOK", "quantity": 1, "unit_price": "30.00"},
    {"sku": "DELIVERY", "quantity": 1, "unit_price": "15.00"},
]


def payment(
    plan: str = "club",
    amount: str = "19.00",
    paid_at: str = "2026-03-01T12:00:00Z",
    reference: str | None = None,
) -> dict[str, Any]:
    return {
        "plan": plan,
        "amount": amount,
        "currency": "PLN",
        "paid_at": paid_at,
        "payment_reference": reference or f"PAY-{next(_references)}",
    }


def pay(
    client: httpx.Client, member_id: str, body: dict[str, Any], **headers: str
) -> httpx.Response:
    return client.post(f"/v1/members/id:{member_id}/memberships", json=body, headers=headers)


def paid(client: httpx.Client, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = pay(client, member_id, body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def memberships(client: httpx.Client, member_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/members/id:{member_id}/memberships")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def basket_body(member_id: str, occurred_at: str, receipt: str) -> dict[str, Any]:
    return {
        "member": f"id:{member_id}",
        "channel": "pos",
        "store_id": "waw-01",
        "receipt_id": receipt,
        "occurred_at": occurred_at,
        "currency": "PLN",
        "total": "79.00",
        "lines": BASKET,
    }
