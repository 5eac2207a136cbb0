"""The wallet over HTTP, on both engines: the balance shows it, a till spends from it."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import assert_problem, enrol, purchase_body
from tests.conftest import Api
from tests.wallet.support import WALLET_CASHBACK

BASKET = [("123", 1, "12.00"), ("000", 1, "100.00"), ("0001", 1, "40.00")]


def _member_with_cashback(api: Api, email: str) -> tuple[str, dict[str, Any]]:
    response = api.admin.put("/v1/programme", json={"name": "Wallet", **WALLET_CASHBACK})
    assert response.status_code in (200, 201), response.text
    member_id = str(enrol(api.admin, email=email)["member_id"])
    sale = api.pos.post("/v1/purchases", json=purchase_body(f"id:{member_id}", BASKET))
    assert sale.status_code == 201, sale.text
    return member_id, sale.json()


def _wallet(api: Api, member_id: str) -> dict[str, Any]:
    response = api.pos.get(f"/v1/members/id:{member_id}/balance")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_purchase_names_its_cashback_and_the_balance_shows_the_wallet(api: Api) -> None:
    member_id, sale = _member_with_cashback(api, "http@example.pl")

    (credited,) = [e for e in sale["effects"] if e["kind"] == "cashback_credited"]
    assert (credited["amount"], credited["rule_id"], credited["points"]) == ("7.60", "wallet-5", 0)
    body = _wallet(api, member_id)
    assert body["balance"] == {"available": 152, "pending": 0, "held": 0, "debt": 0}
    assert (body["wallet_balance"], body["wallet_debt"], body["currency"]) == (
        "7.60",
        "0.00",
        "PLN",
    )

    back = api.pos.post(f"/v1/purchases/{sale['purchase_id']}/returns", json={})
    assert back.status_code == 201, back.text
    (returned,) = [e for e in back.json()["effects"] if e["kind"] == "cashback_returned"]
    assert (returned["amount"], returned["rule_id"]) == ("7.60", "wallet-5")
    assert _wallet(api, member_id)["wallet_balance"] == "0.00"


def test_spend_pays_from_the_wallet_and_refuses_beyond_it(api: Api) -> None:
    member_id, _ = _member_with_cashback(api, "spend@example.pl")
    url = f"/v1/members/id:{member_id}/wallet/spend"

    refused = api.pos.post(url, json={"amount": "7.61", "reference": "pay-1"})

    problem = assert_problem(refused, 409, "insufficient-wallet")
    assert (problem["available"], problem["requested"]) == ("7.60", "7.61")
    assert _wallet(api, member_id)["wallet_balance"] == "7.60"

    spent = api.pos.post(url, json={"amount": "5.00", "reference": "pay-2"})

    assert spent.status_code == 201, spent.text
    body = spent.json()
    assert (body["amount"], body["wallet_balance"], body["reference"]) == ("5.00", "2.60", "pay-2")
    assert _wallet(api, member_id)["wallet_balance"] == "2.60"


def test_the_same_idempotency_key_spends_once(api: Api) -> None:
    member_id, _ = _member_with_cashback(api, "idem@example.pl")
    url = f"/v1/members/id:{member_id}/wallet/spend"
    headers = {"Idempotency-Key": "till-7-pay-1"}
    body = {"amount": "3.00", "reference": "pay-1"}

    first = api.pos.post(url, json=body, headers=headers)
    again = api.pos.post(url, json=body, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert _wallet(api, member_id)["wallet_balance"] == "4.60"
    other = api.pos.post(url, json={**body, "amount": "1.00"}, headers=headers)
    assert_problem(other, 409, "idempotency-key-reused")


def test_spend_needs_a_positive_amount_and_a_till_or_admin_key(api: Api) -> None:
    member_id, _ = _member_with_cashback(api, "roles@example.pl")
    url = f"/v1/members/id:{member_id}/wallet/spend"

    assert_problem(api.pos.post(url, json={"amount": "0", "reference": "r"}), 422, "invalid-input")
    with api.anonymous() as anonymous:
        assert anonymous.post(url, json={"amount": "1.00", "reference": "r"}).status_code == 401
    assert api.admin.post(url, json={"amount": "1.00", "reference": "r"}).status_code == 201
    assert _wallet(api, member_id)["wallet_balance"] == "6.60"
