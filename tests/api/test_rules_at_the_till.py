"""A programme applied over HTTP drives quotes, purchases, returns and events end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import yaml

from loyalo.application.audit import verify_ledger
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"


def apply(client: httpx.Client, document: dict[str, Any]) -> int:
    response = client.put("/v1/programme", json=document)
    assert response.status_code in (200, 201), response.text
    version: int = response.json()["version"]
    return version


def issue_basket(member: str) -> dict[str, Any]:
    body = purchase_body(member, [("123", 1, "12.00"), ("000", 1, "100.00"), ("0001", 1, "40.00")])
    body["lines"][0]["labels"] = ["red"]
    body["lines"][1]["labels"] = ["blue"]
    body["lines"][2]["delivery"] = True
    return body


X3_PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "earning": {"points": 4, "per": "1.00"},
    "rules": [
        {
            "id": "red-x3",
            "name": "Triple points on SKU 123",
            "lines": 'line.sku == "123"',
            "effect": {"type": "multiplier", "factor": 3},
        }
    ],
}


def test_quote_and_purchase_agree_and_the_ledger_names_each_rule(api: Api) -> None:
    version = apply(api.admin, X3_PROGRAMME)
    member = enrol(api.admin, email="x3@example.pl")
    body = issue_basket(member["member_id"])

    quote = api.pos.post("/v1/checkout/quote", json=body)
    assert quote.status_code == 200, quote.text
    assert quote.json()["points_to_earn"] == 704
    assert balance(api.pos, member["member_id"])["available"] == 0  # the quote wrote nothing

    bought = api.pos.post("/v1/purchases", json=body)
    assert bought.status_code == 201, bought.text
    assert bought.json()["points_earned"] == 704
    earned = {
        e["rule_id"]: e["points"] for e in bought.json()["effects"] if e["kind"] == "points_earned"
    }
    assert (
        earned
        == {e["rule_id"]: e["points"] for e in quote.json()["earnings"]}
        == {"base-rate": 608, "red-x3": 96}
    )

    ledger = api.admin.get(f"/v1/members/id:{member['member_id']}/ledger").json()["items"]
    provenance = {(e["rule_id"], e["programme_version"]) for e in ledger if e["kind"] == "earn"}
    assert provenance == {("base-rate", version), ("red-x3", version)}


PROMOTION: dict[str, Any] = {
    "currency": "PLN",
    "earning": {"points": 1, "per": "1.00"},
    "rules": [
        {
            "id": "ten-percent-off",
            "name": "10% off everything",
            "effect": {"type": "discount", "percent": "10"},
        }
    ],
}


def test_points_on_a_basket_with_a_10_percent_promotion_are_earned_after_it(api: Api) -> None:
    # the issue's example: a 100.00 basket with a 10% promotion earns 90 points
    version = apply(api.admin, PROMOTION)
    member_id = enrol(api.admin, email="promo@example.pl")["member_id"]
    body = purchase_body(member_id, [("A", 1, "60.00"), ("B", 2, "20.00")], receipt="R-promo")

    quote = api.pos.post("/v1/checkout/quote", json=body)
    assert quote.status_code == 200, quote.text
    quoted = quote.json()
    assert [(d["rule_id"], d["source"], d["amount"], d["lines"]) for d in quoted["discounts"]] == [
        ("ten-percent-off", "promotion", "10.00", {"0": "6.00", "1": "4.00"})
    ]
    assert (quoted["to_pay"], quoted["points_to_earn"]) == ("90.00", 90)
    assert [(e["rule_id"], e["points"], e["lines"]) for e in quoted["earnings"]] == [
        ("base-rate", 90, {"0": 54, "1": 36})
    ]

    bought = api.pos.post("/v1/purchases", json=body)
    assert bought.status_code == 201, bought.text
    sale = bought.json()
    assert (sale["total"], sale["programme_discount"], sale["to_pay"]) == (
        "100.00",
        "10.00",
        "90.00",
    )
    assert sale["points_earned"] == 90
    assert [(d["rule_id"], d["amount"]) for d in sale["discounts"]] == [
        ("ten-percent-off", "10.00")
    ]

    ledger = api.admin.get(f"/v1/members/id:{member_id}/ledger")
    assert ledger.status_code == 200, ledger.text
    assert [
        (e["kind"], e["available_change"], e["rule_id"], e["programme_version"], e["source_id"])
        for e in ledger.json()["items"]
    ] == [("earn", 90, "base-rate", version, sale["purchase_id"])]
    assert balance(api.pos, member_id) == {"available": 90, "pending": 0, "held": 0, "debt": 0}
    assert verify_ledger(api.container.ctx).ok


def test_a_return_takes_back_what_the_returned_line_earned_rule_by_rule(api: Api) -> None:
    apply(api.admin, X3_PROGRAMME)
    member = enrol(api.admin, email="x3-return@example.pl")
    bought = api.pos.post("/v1/purchases", json=issue_basket(member["member_id"])).json()

    returned = api.pos.post(
        f"/v1/purchases/{bought['purchase_id']}/returns",
        json={"lines": [{"sku": "123", "quantity": 1}]},
    ).json()

    assert returned["points_taken"] == 48 + 96
    taken = {e["rule_id"]: -e["points"] for e in returned["effects"]}
    assert taken == {"base-rate": 48, "red-x3": 96}
    assert balance(api.pos, member["member_id"])["available"] == 704 - 144


def test_the_brief_example_programme_at_the_till(api: Api) -> None:
    document = yaml.safe_load(EXAMPLE.read_text())
    document["pending_days"] = 0
    apply(api.admin, document)
    member = enrol(api.admin, email="brief@example.pl")
    assert balance(api.pos, member["member_id"])["available"] == 50  # the welcome bonus

    body = purchase_body(member["member_id"], [("LATTE", 2, "12.00"), ("BOOK", 1, "100.00")])
    body["lines"][0]["category"] = "coffee"
    quote = api.pos.post("/v1/checkout/quote", json=body).json()
    assert quote["tier"] == "bronze"
    assert [(d["rule_id"], d["amount"]) for d in quote["discounts"]] == [("tier:bronze", "6.20")]
    assert quote["to_pay"] == "117.80"
    assert quote["points_to_earn"] == 117
    assert quote["redeemable_points"] == 50
    assert quote["redeemable_value"]["amount"] == "5.00"
    assert [(s["card"], s["stamps"]) for s in quote["stamps"]] == [("coffee", 2)]

    bought = api.pos.post("/v1/purchases", json=body).json()
    assert bought["to_pay"] == "117.80"
    assert bought["points_earned"] == 117
    assert balance(api.pos, member["member_id"])["available"] == 167


def test_nine_coffees_fill_the_stamp_card_and_issue_the_free_coffee(api: Api) -> None:
    document = yaml.safe_load(EXAMPLE.read_text())
    apply(api.admin, document)
    member = enrol(api.admin, email="stamps@example.pl")
    effects: list[dict[str, Any]] = []
    for _ in range(2):
        body = purchase_body(member["member_id"], [("ESPRESSO", 5, "8.00")])
        body["lines"][0]["category"] = "coffee"
        effects += api.pos.post("/v1/purchases", json=body).json()["effects"]
    issued = [e for e in effects if e["kind"] == "reward_issued"]
    assert len(issued) == 1
    assert issued[0]["rule_id"] == "coffee-stamps"
    assert "free-coffee" in issued[0]["description"]


def test_returned_coffees_take_their_stamps_back_and_the_free_coffee_stays(api: Api) -> None:
    apply(api.admin, yaml.safe_load(EXAMPLE.read_text()))
    member = enrol(api.admin, email="stamps-back@example.pl")
    body = purchase_body(member["member_id"], [("ESPRESSO", 9, "8.00")])
    body["lines"][0]["category"] = "coffee"
    bought = api.pos.post("/v1/purchases", json=body).json()
    assert [e["kind"] for e in bought["effects"]].count("reward_issued") == 1

    returned = api.pos.post(
        f"/v1/purchases/{bought['purchase_id']}/returns",
        json={"lines": [{"sku": "ESPRESSO", "quantity": 2}]},
    )

    assert returned.status_code == 201, returned.text
    stamps = [e for e in returned.json()["effects"] if e["kind"] == "stamps_returned"]
    assert [(e["rule_id"], e["points"]) for e in stamps] == [("coffee-stamps", 0)]
    assert stamps[0]["description"] == (
        "2 stamps taken back from the coffee card for the returned goods; 2 had already "
        "completed a card whose reward stays issued: owed, settled by the next stamps on "
        "this card"
    )


def test_a_review_earns_once_per_product_and_a_resent_event_counts_once(api: Api) -> None:
    apply(api.admin, yaml.safe_load(EXAMPLE.read_text()))
    member = enrol(api.admin, email="review@example.pl")
    ref = member["member_id"]

    def review(product: str, key: str) -> httpx.Response:
        event = {
            "member": ref,
            "name": "review_posted",
            "attributes": {"product_id": product},
            "event_key": key,
        }
        return api.pos.post("/v1/events", json=event)

    first = review("P1", "k1")
    assert first.status_code == 201, first.text
    assert first.json()["points_earned"] == 50
    assert review("P1", "k1").json()["replayed"] is True
    assert review("P1", "k2").json()["points_earned"] == 0
    assert review("P2", "k3").json()["points_earned"] == 50
    assert balance(api.pos, ref)["available"] == 50 + 100  # welcome + two reviews
    conflict = api.pos.post(
        "/v1/events", json={"member": ref, "name": "social_share", "event_key": "k1"}
    )
    assert_problem(conflict, 409, "event-conflict")


def test_event_rules_reward_both_sides_by_role(api: Api) -> None:
    """An event rule may read the event's attributes: a referral a partner's system reports."""
    document = yaml.safe_load(EXAMPLE.read_text())
    for role, points in (("advocate", 100), ("friend", 20)):
        document["rules"].append(
            {
                "id": f"partner-referral-{role}",
                "name": f"{points} points to the {role} of a partner's referral",
                "trigger": "event",
                "event": "referral_completed",
                "when": f'event.role == "{role}"',
                "effect": {"type": "points", "points": points},
            }
        )
    apply(api.admin, document)
    advocate = enrol(api.admin, email="advocate@example.pl")["member_id"]
    friend = enrol(api.admin, email="friend@example.pl")["member_id"]
    for member, role in ((advocate, "advocate"), (friend, "friend")):
        event = {"member": member, "name": "referral_completed", "attributes": {"role": role}}
        api.pos.post("/v1/events", json=event).raise_for_status()
    assert balance(api.pos, advocate)["available"] == 50 + 100
    assert balance(api.pos, friend)["available"] == 50 + 20


def test_the_ledger_verifies_after_rules_ran(api: Api) -> None:
    apply(api.admin, X3_PROGRAMME)
    member = enrol(api.admin, email="verify@example.pl")
    bought = api.pos.post("/v1/purchases", json=issue_basket(member["member_id"])).json()
    api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={}).raise_for_status()
    report = verify_ledger(api.container.ctx)
    assert report.ok, report
