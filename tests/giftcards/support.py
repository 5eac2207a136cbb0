"""Gift cards over the API: issue one, read it back, a sale paid partly with cards."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import purchase_body


def issue(client: httpx.Client, amount: str, **fields: Any) -> str:
    response = client.post("/v1/gift-cards", json={"amount": amount, **fields})
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def card(client: httpx.Client, code: str, pin: str | None = None) -> dict[str, Any]:
    headers = {"X-Gift-Card-Pin": pin} if pin else {}
    response = client.get(f"/v1/gift-cards/{code}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def paid_with(
    member: str, lines: list[tuple[str, int, str]], *cards: str | dict[str, str], **kw: Any
) -> dict[str, Any]:
    """A purchase body paid with gift cards, given as codes or as {code, pin, amount}."""
    body = purchase_body(member, lines, **kw)
    body["gift_cards"] = [c if isinstance(c, dict) else {"code": c} for c in cards]
    return body
