"""Coupons over HTTP: batches, a code at the quote and the purchase, a member's coupons."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, enrol, purchase_body
from tests.conftest import Api

TEN_PERCENT = {"type": "discount", "percent": "10"}
VALID = {"valid_from": "2026-01-01T00:00:00Z", "valid_until": "2026-12-31T00:00:00Z"}


def _token(api: Api, member_id: str) -> str:
    response = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def create_batch(api: Api, key: str | None = None, **fields: Any) -> httpx.Response:
    body = {"name": "spring", "kind": "shared", "benefit": TEN_PERCENT, **VALID, **fields}
    headers = {"Idempotency-Key": key} if key else {}
    return api.admin.post("/v1/coupon-batches", json=body, headers=headers)


def personal_code(api: Api, member_id: str, benefit: dict[str, Any] = TEN_PERCENT) -> str:
    response = create_batch(api, kind="personal", members=[f"id:{member_id}"], benefit=benefit)
    assert response.status_code == 201, response.text
    code: str = response.json()["codes"][0]["code"]
    return code


def test_a_batch_of_shared_codes_is_generated_once_per_idempotency_key(api: Api) -> None:
    first = create_batch(api, "batch-1", pattern="SPRING-########", count=5, max_uses=100)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["count"] == 5
    assert len({c["code"] for c in body["codes"]}) == 5
    assert all(c["code"].startswith("SPRING-") for c in body["codes"])
    again = create_batch(api, "batch-1", pattern="SPRING-########", count=5, max_uses=100)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == body
    code = body["codes"][0]["code"]
    coupon = api.pos.get(f"/v1/coupons/{code}").json()
    assert coupon["kind"] == "shared"
    assert coupon["uses_left"] == 100
    assert coupon["benefit"] == {
        "type": "discount",
        "percent": "10",
        "amount": None,
        "on": "basket",
        "skus": [],
        "maximum": None,
    }


def test_batches_are_for_admins_and_guessable_codes_are_refused(api: Api) -> None:
    refused = api.pos.post(
        "/v1/coupon-batches",
        json={"name": "x", "kind": "shared", "benefit": TEN_PERCENT, **VALID, "count": 1},
    )
    assert_problem(refused, 403, "forbidden")
    weak = create_batch(api, kind="personal", pattern="XMAS-####-####", count=10)
    problem = assert_problem(weak, 422, "guessable-coupon-codes")
    assert problem["minimum_bits"] == 60
    crowded = create_batch(api, pattern="X-##", count=10)
    assert_problem(crowded, 422, "guessable-coupon-codes")
    fixed = create_batch(api, pattern="SUMMER", count=1)
    assert fixed.status_code == 201
    assert_problem(create_batch(api, pattern="SUMMER", count=1), 409, "coupon-code-taken")


def test_the_quote_reports_each_code_and_the_purchase_uses_it_once(api: Api) -> None:
    member = enrol(api.admin, email="coupon@example.pl")
    code = personal_code(api, member["member_id"])
    body = purchase_body(member["member_id"], [("A", 1, "100.00")], receipt="R-coupon")
    body["codes"] = [code.lower(), "NOPE"]
    quoted = api.pos.post("/v1/checkout/quote", json=body)
    assert quoted.status_code == 200, quoted.text
    assert [
        (c["code"], c["applies"], c["amount"], c["reason"]) for c in quoted.json()["coupons"]
    ] == [
        (code, True, "10.00", None),
        ("NOPE", False, "0.00", "unknown-code"),
    ]
    refused = api.pos.post("/v1/purchases", json=body)
    problem = assert_problem(refused, 409, "coupon-not-applicable")
    assert (problem["code"], problem["reason"]) == ("NOPE", "unknown-code")
    body["codes"] = [code]
    bought = api.pos.post("/v1/purchases", json=body, headers={"Idempotency-Key": "buy-1"})
    assert bought.status_code == 201, bought.text
    sale = bought.json()
    assert (sale["programme_discount"], sale["to_pay"], sale["points_earned"]) == (
        "10.00",
        "90.00",
        90,
    )
    assert sale["discounts"][0]["source"] == "coupon"
    assert sale["effects"][0]["kind"] == "coupon_used"
    resent = api.pos.post("/v1/purchases", json=body)  # the same receipt, no key
    assert resent.status_code == 200
    assert resent.json()["replayed"] is True
    assert api.pos.get(f"/v1/coupons/{code}").json()["status"] == "used"
    elsewhere = purchase_body(member["member_id"], [("A", 1, "100.00")])
    elsewhere["codes"] = [code]
    problem = assert_problem(
        api.pos.post("/v1/purchases", json=elsewhere), 409, "coupon-not-applicable"
    )
    assert problem["reason"] == "used-up"

    returned = api.pos.post(f"/v1/purchases/{sale['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    assert "coupon_restored" in [e["kind"] for e in returned.json()["effects"]]
    assert api.pos.get(f"/v1/coupons/{code}").json()["status"] == "active"


def test_a_member_sees_only_their_own_coupons(api: Api) -> None:
    alice = enrol(api.admin, email="alice@example.pl")
    bob = enrol(api.admin, email="bob@example.pl")
    mine = personal_code(api, alice["member_id"])
    theirs = personal_code(api, bob["member_id"])
    with api.as_member(_token(api, alice["member_id"])) as app:
        own = app.get("/v1/me/coupons")
        assert own.status_code == 200, own.text
        assert [c["code"] for c in own.json()["coupons"]] == [mine]
        assert app.get(f"/v1/coupons/{mine}").json()["member_id"] == alice["member_id"]
        assert_problem(app.get(f"/v1/coupons/{theirs}"), 404, "coupon-not-found")
        assert_problem(app.get(f"/v1/members/id:{bob['member_id']}/coupons"), 403, "forbidden")
    listed = api.pos.get(f"/v1/members/id:{bob['member_id']}/coupons").json()
    assert [c["code"] for c in listed["coupons"]] == [theirs]
    assert listed["next_after"] is None


def test_a_member_s_coupons_page_by_code(api: Api) -> None:
    member = enrol(api.admin, email="pages@example.pl")
    response = create_batch(api, kind="personal", members=[f"id:{member['member_id']}"] * 3)
    codes = sorted(c["code"] for c in response.json()["codes"])  # one batch: one created_at
    first = api.admin.get(f"/v1/members/id:{member['member_id']}/coupons?limit=2").json()
    assert [c["code"] for c in first["coupons"]] == codes[:2]
    after = first["next_after"]
    rest = api.admin.get(f"/v1/members/id:{member['member_id']}/coupons?after={after}").json()
    assert [c["code"] for c in rest["coupons"]] == codes[2:]


def test_an_admin_cancels_a_code(api: Api) -> None:
    member = enrol(api.admin, email="cancel@example.pl")
    code = personal_code(api, member["member_id"])
    assert_problem(api.pos.post(f"/v1/coupons/{code}/cancel"), 403, "forbidden")
    cancelled = api.admin.post(f"/v1/coupons/{code}/cancel", headers={"Idempotency-Key": "c-1"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    body = purchase_body(member["member_id"], [("A", 1, "100.00")])
    body["codes"] = [code]
    verdict = api.pos.post("/v1/checkout/quote", json=body).json()["coupons"][0]
    assert (verdict["applies"], verdict["reason"]) == (False, "cancelled")
    assert_problem(api.admin.post("/v1/coupons/NO-SUCH/cancel"), 404, "coupon-not-found")


def test_the_coupon_problems_are_in_the_catalogue(api: Api) -> None:
    slugs = {p["type"]: p["status"] for p in api.anonymous().get("/problems").json()}
    assert {
        "/problems/coupon-not-applicable": 409,
        "/problems/coupon-not-found": 404,
        "/problems/coupon-code-taken": 409,
        "/problems/coupon-not-cancellable": 409,
        "/problems/guessable-coupon-codes": 422,
        "/problems/invalid-coupon-pattern": 422,
    }.items() <= slugs.items()
