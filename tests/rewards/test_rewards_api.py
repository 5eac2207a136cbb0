"""The catalogue over real HTTP: views per caller, redemptions with Idempotency-Key,
cancellation by an admin, donation receipts and cause totals, problem types."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import assert_problem, balance, enrol
from tests.conftest import Api
from tests.rewards.support import PROGRAMME


def setup(api: Api, points: int = 1000) -> tuple[str, httpx.Client]:
    response = api.admin.put("/v1/programme", json=PROGRAMME)
    assert response.status_code in (200, 201), response.text
    member_id: str = enrol(api.admin, email="ola@example.pl")["member_id"]
    given = api.admin.post(
        f"/v1/members/id:{member_id}/adjustments", json={"points": points, "reason": "test points"}
    )
    assert given.status_code == 201, given.text
    token = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={}).json()["token"]
    return member_id, api.as_member(token)


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in body["items"]}


def test_the_plain_catalogue_and_a_members_view(api: Api) -> None:
    member_id, _ = setup(api, points=95)
    plain = api.admin.get("/v1/rewards")
    assert plain.status_code == 200, plain.text
    mug = by_id(plain.json())["mug"]
    assert (mug["stock"], mug["stock_left"], mug["affordable"], mug["reasons"]) == (3, 3, None, [])
    assert plain.json()["member_id"] is None

    view = api.pos.get("/v1/rewards", params={"member": f"id:{member_id}", "channel": "pos"})
    assert view.status_code == 200, view.text
    assert view.json()["available_points"] == 95
    items = by_id(view.json())
    assert (items["coffee"]["affordable"], items["coffee"]["eligible"]) == (True, True)
    assert (items["mug"]["affordable"], items["mug"]["eligible"]) == (False, True)
    assert items["mug"]["reasons"] == [
        {"reason": "not-enough-points", "detail": "costs 100 points, 5 missing"}
    ]
    assert [r["reason"] for r in items["delivery"]["reasons"]] == ["channel"]
    assert [r["reason"] for r in items["gala"]["reasons"]] == ["tier"]
    assert [r["reason"] for r in items["winter"]["reasons"]] == ["not-yet-available"]


def test_a_member_sees_their_own_view_in_their_language(api: Api) -> None:
    _, app = setup(api)
    with app:
        view = app.get("/v1/rewards", params={"lang": "pl-PL"})
        assert view.status_code == 200, view.text
        items = by_id(view.json())
        one = app.get("/v1/rewards/ten-off", params={"lang": "en"})
    assert (items["ten-off"]["name"], items["ten-off"]["language"]) == ("10% rabatu", "pl")
    assert items["ten-off"]["description"] == "Na cały koszyk"
    assert (items["coffee"]["name"], items["coffee"]["language"]) == ("A free coffee", None)
    assert items["delivery"]["reasons"] == []  # the app channel
    assert (one.json()["name"], one.json()["affordable"]) == ("10% off", True)
    assert_problem(api.admin.get("/v1/rewards/nothing"), 404, "reward-not-found")


def test_redeem_in_the_app_once_per_idempotency_key(api: Api) -> None:
    member_id, app = setup(api)
    with app:
        headers = {"Idempotency-Key": "redeem-1"}
        first = app.post("/v1/me/redemptions", json={"reward": "coffee"}, headers=headers)
        again = app.post("/v1/me/redemptions", json={"reward": "coffee"}, headers=headers)
        mine = app.get("/v1/me/redemptions")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["points"], body["delivery"], body["channel"]) == (90, "coupon", "app")
    assert body["coupon"]["code"]
    assert body["balance"]["available"] == 910
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == body
    assert balance(api.admin, member_id)["available"] == 910
    assert [r["redemption_id"] for r in mine.json()["items"]] == [body["redemption_id"]]
    with api.container.ctx.uow() as uow:
        coupon = api.container.coupons.get(uow, body["coupon"]["code"])
    assert (coupon.member_id, coupon.source_id) == (member_id, body["redemption_id"])


def test_refusals_are_problems_with_every_reason(api: Api) -> None:
    member_id, app = setup(api, points=10)
    refused = api.pos.post(f"/v1/members/id:{member_id}/redemptions", json={"reward": "gala"})
    problem = assert_problem(refused, 409, "reward-not-redeemable")
    assert [r["reason"] for r in problem["reasons"]] == ["tier", "not-enough-points"]
    assert problem["reward_id"] == "gala"
    assert balance(api.admin, member_id)["available"] == 10
    other = enrol(api.admin, email="other@example.pl")["member_id"]
    with app:
        assert_problem(
            app.post(f"/v1/members/id:{other}/redemptions", json={"reward": "coffee"}),
            403,
            "forbidden",
        )
    assert_problem(
        api.pos.post(f"/v1/members/id:{member_id}/redemptions", json={"reward": "nope"}),
        404,
        "reward-not-found",
    )


def test_only_an_admin_cancels_and_only_once(api: Api) -> None:
    member_id, _ = setup(api)
    made = api.pos.post(f"/v1/members/id:{member_id}/redemptions", json={"reward": "mug"})
    assert made.status_code == 201, made.text
    assert made.json()["channel"] == "pos"
    redemption_id = made.json()["redemption_id"]
    assert_problem(api.pos.post(f"/v1/redemptions/{redemption_id}/cancel"), 403, "forbidden")
    cancelled = api.admin.post(f"/v1/redemptions/{redemption_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (cancelled.json()["status"], cancelled.json()["balance"]["available"]) == (
        "cancelled",
        1000,
    )
    assert_problem(
        api.admin.post(f"/v1/redemptions/{redemption_id}/cancel"),
        409,
        "redemption-not-cancellable",
    )
    assert_problem(api.admin.post("/v1/redemptions/nope/cancel"), 404, "redemption-not-found")
    listed = api.admin.get(f"/v1/members/id:{member_id}/redemptions").json()["items"]
    assert [r["status"] for r in listed] == ["cancelled"]
    assert api.admin.get(f"/v1/redemptions/{redemption_id}").json()["status"] == "cancelled"


def test_donation_receipts_and_cause_totals(api: Api) -> None:
    member_id, app = setup(api)
    with app:
        made = app.post("/v1/me/redemptions", json={"reward": "trees"})
        assert made.status_code == 201, made.text
        receipts = app.get("/v1/me/donations").json()
    assert receipts["member_id"] == member_id
    assert [(d["cause"], d["amount"], d["points"]) for d in receipts["items"]] == [
        ("reforestation", {"amount": "10.00", "currency": "PLN"}, 100)
    ]
    assert made.json()["donation_id"] == receipts["items"][0]["donation_id"]
    assert api.pos.get(f"/v1/members/id:{member_id}/donations").json() == receipts
    assert_problem(api.pos.get("/v1/charity/causes"), 403, "forbidden")
    causes = api.admin.get("/v1/charity/causes").json()
    assert causes == [
        {
            "cause": "reforestation",
            "amount": {"amount": "10.00", "currency": "PLN"},
            "points": 100,
            "donations": 1,
            "donors": 1,
        }
    ]
    assert api.admin.get("/v1/charity/causes/reforestation").json() == causes[0]
    assert_problem(api.admin.get("/v1/charity/causes/whales"), 404, "cause-not-found")


def test_the_problems_catalogue_names_the_new_refusals(api: Api) -> None:
    types = {p["type"] for p in api.anonymous().get("/problems").json()}
    assert {
        "/problems/reward-not-found",
        "/problems/reward-not-redeemable",
        "/problems/redemption-not-found",
        "/problems/redemption-not-cancellable",
        "/problems/cause-not-found",
    } <= types
