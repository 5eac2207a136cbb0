"""GET /v1/members/{id}/tier and /v1/me/tier: the tier, progress to the next one, history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from loyalo.application.jobs import run_due
from tests.api.helpers import assert_problem, enrol, purchase_body
from tests.api.test_rules_at_the_till import apply
from tests.conftest import Api
from tests.support.clock import FakeClock

BENEFITS = {"free_delivery": False, "exclusive_offers": False, "flags": [], "earn_multiplier": "1"}
BRONZE = {"id": "bronze", "name": "Bronze", "threshold": "0"}
SILVER = {"id": "silver", "name": "Silver", "threshold": "500"}
GOLD = {"id": "gold", "name": "Gold", "threshold": "1000"}

POINTS_TIERS: dict[str, Any] = {
    "currency": "PLN",
    "timezone": "Europe/Warsaw",
    "pending_days": 0,
    "tiers": {
        "metric": "points_earned",
        "window": "rolling",
        "months": 12,
        "grace_days": 30,
        "levels": [
            {**BRONZE, "benefits": {"discount_percent": 5}},
            {**SILVER, "benefits": {"discount_percent": 10}},
            {**GOLD, "benefits": {"discount_percent": 15}},
        ],
    },
}

MONEY_TIERS: dict[str, Any] = {
    "currency": "PLN",
    "tiers": {
        "metric": "money_spent",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": "0"},
            {"id": "silver", "name": "Silver", "threshold": "1000"},
            {"id": "gold", "name": "Gold", "threshold": "2500"},
        ],
    },
}


NOW = "2026-03-01T12:00:00Z"  # the test clock: enrolments, sales and the tier reads


def buy(client: httpx.Client, member_id: str, amount: str) -> None:
    body = purchase_body(member_id, [("SKU", 1, amount)])
    body["occurred_at"] = NOW
    response = client.post("/v1/purchases", json=body)
    assert response.status_code == 201, response.text


def tier_view(client: httpx.Client, member_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/members/id:{member_id}/tier")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _token(api: Api, member_id: str) -> str:
    response = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_a_member_crossing_silver_sees_the_tier_the_gap_to_gold_and_the_history(
    api: Api,
) -> None:
    # Given the brief's tiers, and a Bronze member who earned 380 points (400.00 less 5%)
    version = apply(api.admin, POINTS_TIERS)
    member_id = enrol(api.admin, email="silver@example.pl")["member_id"]
    buy(api.pos, member_id, "400.00")
    before = tier_view(api.pos, member_id)
    assert before["tier"]["id"] == "bronze"
    assert before["qualifying"]["value"] == "380"
    assert before["next_tier"]["id"] == "silver"
    assert before["next_tier"]["missing"] == "120"

    # When a second receipt earns 190 more (200.00 less 5%)
    buy(api.pos, member_id, "200.00")

    # Then the member is Silver from that purchase, reviewed 12 months later, 430 short of Gold;
    # the history is newest first, though enrolment and both sales share one second
    assert tier_view(api.pos, member_id) == {
        "member_id": member_id,
        "programme_version": version,
        "tier": {**SILVER, "benefits": {**BENEFITS, "discount_percent": "10"}},
        "since": NOW,
        "review_at": "2027-03-01T12:00:00Z",
        "downgrade_at": None,
        "qualifying": {
            "metric": "points_earned",
            "window": "rolling",
            "window_start": "2025-03-01T12:00:00Z",
            "value": "570",
            "unit": "points",
        },
        "next_tier": {
            **GOLD,
            "benefits": {**BENEFITS, "discount_percent": "15"},
            "missing": "430",
        },
        "history": [
            {
                "at": NOW,
                "from_tier": "bronze",
                "to_tier": "silver",
                "reason": "upgrade",
                "metric": "570",
                "unit": "points",
                "programme_version": version,
            },
            {
                "at": NOW,
                "from_tier": None,
                "to_tier": "bronze",
                "reason": "initial",  # at enrolment
                "metric": "0",
                "unit": "points",
                "programme_version": version,
            },
        ],
    }


def test_a_review_that_finds_less_shows_the_downgrade_date_of_the_grace(
    api: Api, clock: FakeClock
) -> None:
    # Given a Silver member whose review is due a year later
    apply(api.admin, POINTS_TIERS)
    member_id = enrol(api.admin, email="grace@example.pl")["member_id"]
    buy(api.pos, member_id, "600.00")  # 570 points
    assert tier_view(api.pos, member_id)["tier"]["id"] == "silver"

    # When the review runs after a year in which nothing was earned
    clock.advance(timedelta(days=366))
    run_due(api.container.ctx)

    # Then the member keeps Silver for the 30 days of grace, and is told when it ends
    view = tier_view(api.pos, member_id)
    assert view["tier"]["id"] == "silver"
    assert (view["review_at"], view["downgrade_at"]) == (
        "2027-03-31T12:00:00Z",
        "2027-03-31T12:00:00Z",
    )
    assert view["qualifying"]["window_start"] == "2026-03-02T12:00:00Z"
    assert view["qualifying"]["value"] == "0"
    assert (view["next_tier"]["id"], view["next_tier"]["missing"]) == ("gold", "1000")


def test_money_spent_counts_in_the_programme_currency_up_to_the_top_tier(api: Api) -> None:
    # Given tiers by lifetime spend, and a member who spent 333.33
    version = apply(api.admin, MONEY_TIERS)
    member_id = enrol(api.admin, email="money@example.pl")["member_id"]
    buy(api.pos, member_id, "333.33")

    view = tier_view(api.admin, member_id)
    assert view["tier"] == {
        "id": "bronze",
        "name": "Bronze",
        "threshold": "0.00",
        "benefits": {**BENEFITS, "discount_percent": None},
    }
    assert view["review_at"] is None  # a lifetime tier is never reviewed
    assert view["qualifying"] == {
        "metric": "money_spent",
        "window": "lifetime",
        "window_start": None,
        "value": "333.33",
        "unit": "PLN",
    }
    assert (view["next_tier"]["id"], view["next_tier"]["threshold"]) == ("silver", "1000.00")
    assert view["next_tier"]["missing"] == "666.67"

    # When the next purchase takes the spend to exactly 2 500.00
    buy(api.pos, member_id, "2166.67")

    # Then the member is Gold, the top: there is no next tier
    view = tier_view(api.admin, member_id)
    assert (view["tier"]["id"], view["qualifying"]["value"]) == ("gold", "2500.00")
    assert view["next_tier"] is None
    assert [(h["from_tier"], h["to_tier"], h["metric"], h["unit"]) for h in view["history"]] == [
        ("bronze", "gold", "2500.00", "PLN"),
        (None, "bronze", "0.00", "PLN"),
    ]
    assert {h["programme_version"] for h in view["history"]} == {version}


def test_a_programme_without_tiers_answers_with_no_tier(api: Api) -> None:
    apply(api.admin, {"currency": "PLN"})
    member_id = enrol(api.admin, email="untiered@example.pl")["member_id"]
    buy(api.pos, member_id, "50.00")

    view = tier_view(api.pos, member_id)

    assert {name: value for name, value in view.items() if name != "programme_version"} == {
        "member_id": member_id,
        "tier": None,
        "since": None,
        "review_at": None,
        "downgrade_at": None,
        "qualifying": None,
        "next_tier": None,
        "history": [],
    }


def test_an_app_key_sees_only_its_own_members_tier(api: Api) -> None:
    apply(api.admin, POINTS_TIERS)
    alice = enrol(api.admin, email="alice-tier@example.pl")["member_id"]
    bob = enrol(api.admin, email="bob-tier@example.pl")["member_id"]
    buy(api.pos, bob, "600.00")
    with api.as_member(_token(api, alice)) as client:
        own = client.get("/v1/me/tier")
        assert own.status_code == 200, own.text
        assert (own.json()["member_id"], own.json()["tier"]["id"]) == (alice, "bronze")
        assert client.get(f"/v1/members/id:{alice}/tier").json() == own.json()

        assert_problem(client.get(f"/v1/members/id:{bob}/tier"), 403, "forbidden")

    assert tier_view(api.pos, bob)["tier"]["id"] == "silver"  # a till may look anyone up
    assert_problem(api.pos.get("/v1/me/tier"), 403, "forbidden")  # /v1/me is for app keys


def test_an_unknown_member_is_a_404_problem(api: Api) -> None:
    body = assert_problem(api.pos.get("/v1/members/ext:nobody/tier"), 404, "member-not-found")
    assert body["instance"] == "/v1/members/ext:nobody/tier"
