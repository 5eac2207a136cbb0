"""Idempotency-Key: a retry returns the stored response and nothing happens twice."""

from __future__ import annotations

from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api


def test_a_retried_purchase_returns_the_same_response_and_earns_once(api: Api) -> None:
    member = enrol(api.admin, email="idem@example.pl")
    body = purchase_body(member["member_id"], [("A", 1, "42.00")])
    headers = {"Idempotency-Key": "till-1-sale-77"}

    first = api.pos.post("/v1/purchases", json=body, headers=headers)
    second = api.pos.post("/v1/purchases", json=body, headers=headers)

    assert first.status_code == second.status_code == 201, (first.text, second.text)
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert balance(api.pos, member["member_id"])["available"] == 42
    ledger = api.admin.get(f"/v1/members/id:{member['member_id']}/ledger").json()["items"]
    assert [e["kind"] for e in ledger] == ["earn"]


def test_the_same_key_with_another_body_is_refused(api: Api) -> None:
    member = enrol(api.admin, email="idem2@example.pl")
    headers = {"Idempotency-Key": "k-1"}
    api.pos.post(
        "/v1/purchases",
        json=purchase_body(member["member_id"], [("A", 1, "10.00")]),
        headers=headers,
    )

    other = api.pos.post(
        "/v1/purchases",
        json=purchase_body(member["member_id"], [("B", 1, "99.00")]),
        headers=headers,
    )

    assert_problem(other, 409, "idempotency-key-reused")
    assert balance(api.pos, member["member_id"])["available"] == 10


def test_a_refusal_is_stored_too_so_a_retry_gets_the_same_answer(api: Api) -> None:
    member = enrol(api.admin, email="idem3@example.pl")
    headers = {"Idempotency-Key": "hold-1"}
    body = {"member": member["member_id"], "points": 10}

    refused = api.pos.post("/v1/reservations", json=body, headers=headers)
    api.admin.post(
        f"/v1/members/id:{member['member_id']}/adjustments",
        json={"points": 10, "reason": "goodwill"},
    )
    retried = api.pos.post("/v1/reservations", json=body, headers=headers)

    assert_problem(refused, 409, "insufficient-points")
    assert retried.status_code == 409
    assert retried.json()["type"] == refused.json()["type"]
    assert retried.headers["Idempotent-Replayed"] == "true"
    assert balance(api.pos, member["member_id"]) == {
        "available": 10,
        "pending": 0,
        "held": 0,
        "debt": 0,
    }


def test_keys_are_scoped_per_api_key(api: Api) -> None:
    member = enrol(api.admin, email="idem4@example.pl")
    headers = {"Idempotency-Key": "shared-key"}

    by_admin = api.admin.post(
        "/v1/purchases",
        json=purchase_body(member["member_id"], [("A", 1, "1.00")]),
        headers=headers,
    )
    by_pos = api.pos.post(
        "/v1/purchases",
        json=purchase_body(member["member_id"], [("A", 1, "2.00")]),
        headers=headers,
    )

    assert by_admin.status_code == by_pos.status_code == 201
    assert balance(api.pos, member["member_id"])["available"] == 3


def test_commit_retried_with_the_same_key_is_not_a_double_resolution(api: Api) -> None:
    member = enrol(api.admin, email="idem5@example.pl")
    api.admin.post(
        f"/v1/members/id:{member['member_id']}/adjustments", json={"points": 50, "reason": "seed"}
    )
    hold = api.pos.post("/v1/reservations", json={"member": member["member_id"], "points": 20})
    url = f"/v1/reservations/{hold.json()['reservation_id']}/commit"

    first = api.pos.post(url, headers={"Idempotency-Key": "c-1"})
    retry = api.pos.post(url, headers={"Idempotency-Key": "c-1"})

    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert balance(api.pos, member["member_id"])["available"] == 30
