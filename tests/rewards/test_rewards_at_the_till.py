"""A catalogue reward from redemption to the till, over real HTTP, on SQLite and PostgreSQL.

The member redeems the reward (``POST /v1/members/{id}/redemptions``), the till quotes
and then records a purchase with its coupon: the quote and the purchase take exactly
the discount the benefit gives, points are earned on what is left to pay (1 point per
1.00, rounded down once), and the coupon is used once. The first row is the issue's
example: 10% on the basket with a maximum of 9.00, on a basket of 120.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api
from tests.support.clock import FakeClock

PRICE = 100  # every reward costs 100 points
FLOAT = 1000  # the member's points before redeeming
NOW = FakeClock().now().isoformat()  # the tests' clock, which no test here moves


def reward(reward_id: str, benefit: dict[str, Any]) -> dict[str, Any]:
    return {"id": reward_id, "name": reward_id, "points": PRICE, "benefit": benefit}


PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "earning": {"points": 1, "per": "1.00", "rounding": "down"},
    "rewards": [
        reward("ten-percent-max-9", {"type": "discount", "percent": "10", "maximum": "9.00"}),
        reward("half-the-cheapest", {"type": "discount", "percent": "50", "on": "cheapest_line"}),
        reward(
            "tea-and-cake",
            {"type": "discount", "percent": "20", "on": "products", "skus": ["TEA", "CAKE"]},
        ),
        reward("fifteen-off", {"type": "discount", "amount": "15.00"}),
        reward("fifty-off", {"type": "discount", "amount": "50.00"}),
        reward("free-coffee", {"type": "free_product", "sku": "COFFEE"}),
        reward("free-delivery", {"type": "free_delivery"}),
    ],
}


@dataclass(frozen=True)
class Row:
    reward: str
    lines: list[tuple[str, int, str]]  # sku, quantity, unit price; "DELIVERY" is delivery
    discount: str
    parts: dict[str, str]  # receipt line (0-based) -> amount off
    to_pay: str
    points: int


ROWS = {
    # the issue's example: 10% of 120.00 is 12.00, the maximum takes 9.00
    "10%-max-9.00-on-120.00": Row(
        "ten-percent-max-9", [("A", 1, "120.00")], "9.00", {"0": "9.00"}, "111.00", 111
    ),
    # under the maximum the percentage stands: 10% of 50.00
    "10%-max-9.00-on-50.00": Row(
        "ten-percent-max-9", [("A", 2, "25.00")], "5.00", {"0": "5.00"}, "45.00", 45
    ),
    # the basket is the goods: delivery is neither discounted nor in the base
    "10%-max-9.00-on-60.00-of-goods-and-delivery": Row(
        "ten-percent-max-9",
        [("A", 1, "60.00"), ("DELIVERY", 1, "20.00")],
        "6.00",
        {"0": "6.00"},
        "74.00",
        74,
    ),
    # one unit of the cheapest line: half of 12.50, not of the line's 37.50
    "50%-of-the-cheapest-unit": Row(
        "half-the-cheapest",
        [("A", 2, "30.00"), ("B", 3, "12.50")],
        "6.25",
        {"1": "6.25"},
        "91.25",
        91,
    ),
    # the named products only: 20% of 39.99 is 7.998, rounded half up to 8.00,
    # split over the two lines in proportion (30.00 and 9.99)
    "20%-of-given-products": Row(
        "tea-and-cake",
        [("TEA", 2, "15.00"), ("CAKE", 1, "9.99"), ("A", 1, "50.00")],
        "8.00",
        {"0": "6.00", "1": "2.00"},
        "81.99",
        81,
    ),
    "15.00-off-120.00": Row(
        "fifteen-off", [("A", 1, "120.00")], "15.00", {"0": "15.00"}, "105.00", 105
    ),
    # an amount larger than the basket takes the basket, never more: nothing left to earn on
    "50.00-off-a-basket-of-30.00": Row(
        "fifty-off",
        [("A", 1, "10.00"), ("B", 1, "20.00")],
        "30.00",
        {"0": "10.00", "1": "20.00"},
        "0.00",
        0,
    ),
    # one unit free, of two on the line
    "a-free-coffee-of-two": Row(
        "free-coffee",
        [("COFFEE", 2, "9.50"), ("A", 1, "20.00")],
        "9.50",
        {"0": "9.50"},
        "29.50",
        29,
    ),
    # the delivery line, and only it
    "free-delivery": Row(
        "free-delivery",
        [("A", 1, "40.00"), ("DELIVERY", 1, "12.99")],
        "12.99",
        {"1": "12.99"},
        "40.00",
        40,
    ),
}


def sale(member_id: str, lines: list[tuple[str, int, str]], receipt: str) -> dict[str, Any]:
    """A sale rung up now, after the redemption: the coupon is valid from the moment it was
    issued, and a till checks it at the sale's time."""
    body = purchase_body(member_id, lines, receipt=receipt)
    body["occurred_at"] = NOW
    return body


def basket(member_id: str, row: Row, receipt: str) -> dict[str, Any]:
    body = sale(member_id, row.lines, receipt)
    for line in body["lines"]:
        line["delivery"] = line["sku"] == "DELIVERY"
    return body


def redeemed_coupon(api: Api, reward_id: str) -> tuple[str, str]:
    """A member with FLOAT points who redeemed ``reward_id``: the member and the code."""
    applied = api.admin.put("/v1/programme", json=PROGRAMME)
    assert applied.status_code in (200, 201), applied.text
    member_id: str = enrol(api.admin, email="ola@example.pl")["member_id"]
    given = api.admin.post(
        f"/v1/members/id:{member_id}/adjustments", json={"points": FLOAT, "reason": "test points"}
    )
    assert given.status_code == 201, given.text
    made = api.pos.post(f"/v1/members/id:{member_id}/redemptions", json={"reward": reward_id})
    assert made.status_code == 201, made.text
    assert (made.json()["points"], made.json()["delivery"]) == (PRICE, "coupon")
    assert made.json()["balance"]["available"] == FLOAT - PRICE
    code: str = made.json()["coupon"]["code"]
    return member_id, code


@pytest.mark.parametrize("row", ROWS.values(), ids=ROWS.keys())
def test_a_redeemed_coupon_at_the_till(api: Api, row: Row) -> None:
    member_id, code = redeemed_coupon(api, row.reward)
    body = basket(member_id, row, "R-1")
    body["codes"] = [code]

    quote = api.pos.post("/v1/checkout/quote", json=body)
    assert quote.status_code == 200, quote.text
    quoted = quote.json()
    assert [(c["code"], c["applies"], c["amount"], c["lines"]) for c in quoted["coupons"]] == [
        (code, True, row.discount, row.parts)
    ]
    assert (quoted["discount"], quoted["to_pay"], quoted["points_to_earn"]) == (
        row.discount,
        row.to_pay,
        row.points,
    )
    assert api.pos.get(f"/v1/coupons/{code}").json()["status"] == "active"  # a quote uses nothing

    bought = api.pos.post("/v1/purchases", json=body)
    assert bought.status_code == 201, bought.text
    recorded = bought.json()
    assert (recorded["programme_discount"], recorded["to_pay"], recorded["points_earned"]) == (
        row.discount,
        row.to_pay,
        row.points,
    )
    assert [(d["rule_id"], d["source"], d["amount"]) for d in recorded["discounts"]] == [
        (f"coupon:{code}", "coupon", row.discount)
    ]
    assert api.pos.get(f"/v1/coupons/{code}").json()["status"] == "used"
    assert balance(api.pos, member_id) == {
        "available": FLOAT - PRICE + row.points,
        "pending": 0,
        "held": 0,
        "debt": 0,
    }
    again = basket(member_id, row, "R-2")  # the coupon was personal and single-use
    again["codes"] = [code]
    problem = assert_problem(
        api.pos.post("/v1/purchases", json=again), 409, "coupon-not-applicable"
    )
    assert problem["reason"] == "used-up"
    assert verify_ledger(api.container.ctx).ok


def test_a_coupon_with_nothing_to_discount_refuses_the_sale_and_stays_unused(api: Api) -> None:
    member_id, code = redeemed_coupon(api, "tea-and-cake")
    body = sale(member_id, [("A", 1, "50.00")], "R-1")
    body["codes"] = [code]
    quoted = api.pos.post("/v1/checkout/quote", json=body).json()
    assert [(c["applies"], c["amount"], c["reason"]) for c in quoted["coupons"]] == [
        (False, "0.00", "nothing-to-discount")
    ]
    assert (quoted["discount"], quoted["points_to_earn"]) == ("0.00", 50)
    problem = assert_problem(api.pos.post("/v1/purchases", json=body), 409, "coupon-not-applicable")
    assert (problem["code"], problem["reason"]) == (code, "nothing-to-discount")
    assert api.pos.get(f"/v1/coupons/{code}").json()["status"] == "active"
    assert balance(api.pos, member_id)["available"] == FLOAT - PRICE
