"""Small builders for API tests: a member, a purchase body, a problem check."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

_receipts = itertools.count(1)


def enrol(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/members", json=fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def purchase_body(
    member: str,
    lines: list[tuple[str, int, str]],
    *,
    receipt: str | None = None,
    store: str = "waw-01",
    total: str | None = None,
) -> dict[str, Any]:
    """Lines as (sku, quantity, unit price); the total is their sum unless given."""
    from decimal import Decimal

    computed = sum(Decimal(price) * qty for _, qty, price in lines)
    return {
        "member": member,
        "channel": "pos",
        "store_id": store,
        "receipt_id": receipt or f"R-{next(_receipts)}",
        "occurred_at": "2026-02-27T10:00:00Z",
        "currency": "PLN",
        "lines": [{"sku": s, "quantity": q, "unit_price": p} for s, q, p in lines],
        "total": total or f"{computed:.2f}",
    }


def buy(client: httpx.Client, member: str, amount: str, **kw: Any) -> dict[str, Any]:
    response = client.post("/v1/purchases", json=purchase_body(member, [("SKU", 1, amount)], **kw))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def balance(client: httpx.Client, member_id: str) -> dict[str, int]:
    response = client.get(f"/v1/members/id:{member_id}/balance")
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()["balance"]
    return result


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}", body
    assert body["status"] == status
    return body
