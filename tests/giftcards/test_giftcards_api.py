"""Gift cards end to end over HTTP: sold, checked, loaded, voided, paid with, refunded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.giftcards.audit import verify_gift_cards
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api
from tests.giftcards.support import card, issue, paid_with
from tests.support.clock import FakeClock

TIER_10: dict[str, Any] = {
    "currency": "PLN",
    "tiers": {
        "metric": "points_earned",
        "months": 12,
        "levels": [
            {"id": "base", "name": "Base", "threshold": 0, "benefits": {"discount_percent": 10}}
        ],
    },
}


def _member(api: Api, name: str) -> str:
    return str(enrol(api.admin, email=f"{name}@example.pl")["member_id"])


def test_a_card_sold_with_an_idempotency_key_is_issued_once(api: Api) -> None:
    headers = {"Idempotency-Key": "sale-4411"}
    body = {"amount": "100.00", "reference": "till-1 sale 4411"}

    first = api.pos.post("/v1/gift-cards", json=body, headers=headers)
    again = api.pos.post("/v1/gift-cards", json=body, headers=headers)

    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    issued = first.json()
    assert (issued["balance"], issued["initial_value"], issued["currency"]) == (
        "100.00",
        "100.00",
        "PLN",
    )
    assert issued["status"] == "active"
    assert len(issued["code"]) == 19  # 16 characters in groups of four
    statement = card(api.admin, issued["code"])
    assert [
        (m["seq"], m["kind"], m["amount"], m["balance_after"]) for m in statement["movements"]
    ] == [(1, "issue", "100.00", "100.00")]
    assert statement["movements"][0]["reference"] == "till-1 sale 4411"
    assert verify_gift_cards(api.container.ctx).cards_checked == 1


@pytest.mark.parametrize(
    ("cards", "prices", "paid", "after", "left"),
    [
        # the issue: a 100.00 card on 115.00 -> card 0.00, 15.00 left to pay
        (["100.00"], ["100.00", "15.00"], ["100.00"], ["0.00"], "15.00"),
        # the issue: two 100.00 cards on 2 300.00 -> 2 100.00 left to pay
        (["100.00", "100.00"], ["2300.00"], ["100.00", "100.00"], ["0.00", "0.00"], "2100.00"),
        (["100.00"], ["40.00"], ["40.00"], ["60.00"], "0.00"),
        (["30.00", "50.00"], ["60.00"], ["30.00", "30.00"], ["0.00", "20.00"], "0.00"),
    ],
)
def test_cards_pay_what_is_left_and_points_are_earned_on_the_goods(
    api: Api,
    cards: list[str],
    prices: list[str],
    paid: list[str],
    after: list[str],
    left: str,
) -> None:
    member = _member(api, "tender")
    codes = [issue(api.admin, amount) for amount in cards]
    body = paid_with(member, [(f"SKU{i}", 1, p) for i, p in enumerate(prices)], *codes)
    goods = sum(Decimal(p) for p in prices)

    quote = api.pos.post("/v1/checkout/quote", json=body)
    bought = api.pos.post("/v1/purchases", json=body)

    assert quote.status_code == 200, quote.text
    assert bought.status_code == 201, bought.text
    expected = [
        {"code": code, "amount": amount, "balance_after": rest}
        for code, amount, rest in zip(codes, paid, after, strict=True)
    ]
    assert quote.json()["gift_cards"] == bought.json()["gift_cards"] == expected
    assert quote.json()["to_pay"] == bought.json()["left_to_pay"] == left
    assert quote.json()["to_pay_before_gift_cards"] == bought.json()["to_pay"] == f"{goods:.2f}"
    assert quote.json()["points_to_earn"] == bought.json()["points_earned"] == int(goods)
    assert [card(api.admin, code)["balance"] for code in codes] == after
    assert verify_gift_cards(api.container.ctx).ok


def test_a_gift_card_pays_after_the_discounts_and_does_not_reduce_the_points(api: Api) -> None:
    assert api.admin.put("/v1/programme", json=TIER_10).status_code in (200, 201)
    member = _member(api, "discount")
    code = issue(api.admin, "100.00")
    lines = [("A", 1, "150.00"), ("B", 2, "25.00")]

    without = api.pos.post("/v1/checkout/quote", json=purchase_body(member, lines)).json()
    quote = api.pos.post("/v1/checkout/quote", json=paid_with(member, lines, code)).json()
    bought = api.pos.post("/v1/purchases", json=paid_with(member, lines, code)).json()

    assert without["discount"] == quote["discount"] == "20.00"
    assert without["to_pay"] == quote["to_pay_before_gift_cards"] == "180.00"
    assert quote["to_pay"] == bought["left_to_pay"] == "80.00"
    assert without["points_to_earn"] == quote["points_to_earn"] == bought["points_earned"] == 180
    assert bought["gift_cards"] == [{"code": code, "amount": "100.00", "balance_after": "0.00"}]


def test_a_resent_receipt_debits_the_card_only_once(api: Api) -> None:
    member = _member(api, "resend")
    code = issue(api.admin, "100.00")
    body = paid_with(member, [("A", 1, "30.00")], code)

    first = api.pos.post("/v1/purchases", json=body)
    again = api.pos.post("/v1/purchases", json=body)  # no Idempotency-Key: the receipt id guards

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["replayed"] is True
    assert again.json()["gift_cards"] == first.json()["gift_cards"]
    assert first.json()["gift_cards"] == [
        {"code": code, "amount": "30.00", "balance_after": "70.00"}
    ]
    assert again.json()["left_to_pay"] == "0.00"
    statement = card(api.admin, code)
    assert statement["balance"] == "70.00"
    assert [m["kind"] for m in statement["movements"]] == ["issue", "redeem"]
    assert statement["movements"][1]["purchase_id"] == first.json()["purchase_id"]
    assert balance(api.pos, member)["available"] == 30


def _refused_sale(api: Api, body: dict[str, Any], status: int, slug: str) -> None:
    """The sale is refused as a whole: no purchase, no points, no card moved."""
    assert_problem(api.pos.post("/v1/checkout/quote", json=body), status, slug)
    assert_problem(api.pos.post("/v1/purchases", json=body), status, slug)
    assert balance(api.pos, body["member"])["available"] == 0
    del body["gift_cards"]
    assert api.pos.post("/v1/purchases", json=body).status_code == 201  # the receipt is still free


def test_a_wrong_or_missing_pin_refuses_the_sale(api: Api) -> None:
    code = issue(api.admin, "100.00", pin="4321")
    for pin in ("1234", None):
        tender = {"code": code, **({"pin": pin} if pin else {})}
        _refused_sale(
            api,
            paid_with(_member(api, f"pin{pin}"), [("A", 1, "30.00")], tender),
            403,
            "gift-card-pin-invalid",
        )
    assert card(api.admin, code)["balance"] == "100.00"
    right = paid_with(_member(api, "pin-ok"), [("A", 1, "30.00")], {"code": code, "pin": "4321"})
    assert api.pos.post("/v1/purchases", json=right).json()["left_to_pay"] == "0.00"


def test_a_void_empty_or_unknown_card_or_too_large_an_amount_refuses_the_sale(api: Api) -> None:
    void = issue(api.admin, "100.00")
    assert (
        api.admin.post(f"/v1/gift-cards/{void}/void", json={"reason": "stolen"}).status_code == 200
    )
    empty = issue(api.admin, "10.00")
    spend = paid_with(_member(api, "spender"), [("A", 1, "10.00")], empty)
    assert api.pos.post("/v1/purchases", json=spend).status_code == 201
    small = issue(api.admin, "20.00")
    cases: list[tuple[str | dict[str, str], int, str]] = [
        (void, 409, "gift-card-void"),
        (empty, 409, "insufficient-gift-card-balance"),
        ("ZZZZ-ZZZZ-ZZZZ-ZZZZ", 404, "gift-card-not-found"),
        ({"code": small, "amount": "30.00"}, 409, "insufficient-gift-card-balance"),
        ({"code": small, "amount": "20.01"}, 409, "insufficient-gift-card-balance"),
        ({"code": small, "amount": "20.00"}, 422, "invalid-input"),  # more than the 15.00 due
        ("not a code", 422, "invalid-input"),
    ]
    for index, (tender, status, slug) in enumerate(cases):
        body = paid_with(_member(api, f"refused{index}"), [("A", 1, "15.00")], tender)
        if slug == "insufficient-gift-card-balance" and tender == empty:
            # the quote shows an empty card paying nothing; the sale refuses to use it
            assert (
                api.pos.post("/v1/checkout/quote", json=body).json()["gift_cards"][0]["amount"]
                == "0.00"
            )
            assert_problem(api.pos.post("/v1/purchases", json=body), status, slug)
            continue
        _refused_sale(api, body, status, slug)
    assert card(api.admin, small)["balance"] == "20.00"


def test_an_exact_amount_pays_part_and_another_card_the_rest(api: Api) -> None:
    member = _member(api, "split")
    first, second = issue(api.admin, "100.00"), issue(api.admin, "100.00")
    body = paid_with(member, [("A", 1, "115.00")], {"code": first, "amount": "30.00"}, second)

    bought = api.pos.post("/v1/purchases", json=body).json()

    assert bought["gift_cards"] == [
        {"code": first, "amount": "30.00", "balance_after": "70.00"},
        {"code": second, "amount": "85.00", "balance_after": "15.00"},
    ]
    assert bought["left_to_pay"] == "0.00"


def test_a_return_refunds_each_card_its_share_and_never_more_than_it_paid(api: Api) -> None:
    member = _member(api, "returns")
    big, small = issue(api.admin, "100.00"), issue(api.admin, "50.00")
    body = paid_with(member, [("A", 1, "100.00"), ("B", 1, "15.00"), ("C", 1, "35.00")], big, small)
    bought = api.pos.post("/v1/purchases", json=body).json()
    assert [g["amount"] for g in bought["gift_cards"]] == ["100.00", "50.00"]
    url = f"/v1/purchases/{bought['purchase_id']}/returns"

    first = api.pos.post(url, json={"lines": [{"sku": "B", "quantity": 1}]})
    rest = api.pos.post(url, json={})
    again = api.pos.post(url, json={})

    assert first.status_code == rest.status_code == 201, first.text
    # 15.00 of 150.00 returned: 10.00 of the 100.00 card's payment, 5.00 of the 50.00 card's
    assert first.json()["gift_card_refunds"] == [
        {"code": big, "amount": "10.00", "refunded": True, "balance_after": "10.00"},
        {"code": small, "amount": "5.00", "refunded": True, "balance_after": "5.00"},
    ]
    assert rest.json()["gift_card_refunds"] == [
        {"code": big, "amount": "90.00", "refunded": True, "balance_after": "100.00"},
        {"code": small, "amount": "45.00", "refunded": True, "balance_after": "50.00"},
    ]
    assert_problem(again, 409, "return-exceeds-purchase")
    assert card(api.admin, big)["balance"] == "100.00"
    assert [m["kind"] for m in card(api.admin, small)["movements"]] == [
        "issue",
        "redeem",
        "refund",
        "refund",
    ]
    assert balance(api.pos, member)["available"] == 0  # the points went back as ever
    assert verify_gift_cards(api.container.ctx).ok
    assert verify_ledger(api.container.ctx).ok


def test_rounding_in_parts_never_refunds_more_than_was_paid(api: Api) -> None:
    member = _member(api, "thirds")
    code = issue(api.admin, "10.00")
    bought = api.pos.post("/v1/purchases", json=paid_with(member, [("A", 3, "3.33")], code)).json()
    assert bought["gift_cards"][0]["amount"] == "9.99"
    url = f"/v1/purchases/{bought['purchase_id']}/returns"

    refunds = [
        api.pos.post(url, json={"lines": [{"sku": "A", "quantity": 1}]}).json()["gift_card_refunds"]
        for _ in range(3)
    ]

    assert [[r["amount"] for r in each] for each in refunds] == [["3.33"], ["3.33"], ["3.33"]]
    assert card(api.admin, code)["balance"] == "10.00"


def test_a_void_card_is_not_refunded_and_the_return_still_goes_through(api: Api) -> None:
    member = _member(api, "void-refund")
    code = issue(api.admin, "100.00")
    bought = api.pos.post("/v1/purchases", json=paid_with(member, [("A", 1, "60.00")], code)).json()
    api.admin.post(f"/v1/gift-cards/{code}/void", json={"reason": "lost"})

    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})

    assert returned.status_code == 201, returned.text
    assert returned.json()["gift_card_refunds"] == [
        {"code": code, "amount": "60.00", "refunded": False, "balance_after": None}
    ]
    assert returned.json()["points_taken"] == 60
    assert card(api.admin, code)["balance"] == "0.00"


def test_load_and_void_are_for_admins_and_a_void_card_loads_no_more(api: Api) -> None:
    code = issue(api.pos, "50.00")
    load = {"amount": "25.00", "reference": "top-up"}
    assert_problem(api.pos.post(f"/v1/gift-cards/{code}/load", json=load), 403, "forbidden")
    assert_problem(
        api.pos.post(f"/v1/gift-cards/{code}/void", json={"reason": "x"}), 403, "forbidden"
    )

    loaded = api.admin.post(f"/v1/gift-cards/{code}/load", json=load)
    voided = api.admin.post(f"/v1/gift-cards/{code}/void", json={"reason": "fraud"})

    assert loaded.json()["balance"] == "75.00"
    assert (voided.json()["balance"], voided.json()["status"]) == ("0.00", "void")
    assert_problem(api.admin.post(f"/v1/gift-cards/{code}/load", json=load), 409, "gift-card-void")
    assert_problem(
        api.admin.post(f"/v1/gift-cards/{code}/void", json={"reason": "x"}), 409, "gift-card-void"
    )
    movements = card(api.admin, code)["movements"]
    assert [(m["kind"], m["amount"], m["balance_after"]) for m in movements] == [
        ("issue", "50.00", "50.00"),
        ("load", "25.00", "75.00"),
        ("void", "-75.00", "0.00"),
    ]
    assert movements[2]["reference"] == "fraud"


def test_a_till_reads_a_card_with_a_pin_only_with_the_pin(api: Api) -> None:
    code = issue(api.admin, "100.00", pin="123456")
    url = f"/v1/gift-cards/{code}"

    assert_problem(api.pos.get(url), 403, "gift-card-pin-invalid")
    assert_problem(
        api.pos.get(url, headers={"X-Gift-Card-Pin": "654321"}), 403, "gift-card-pin-invalid"
    )
    assert card(api.pos, code, pin="123456")["has_pin"] is True
    assert card(api.pos, code.lower().replace("-", ""), pin="123456")["code"] == code
    assert card(api.admin, code)["balance"] == "100.00"  # an admin needs no PIN
    assert_problem(api.pos.get("/v1/gift-cards/ZZZZ-ZZZZ-ZZZZ-ZZZZ"), 404, "gift-card-not-found")


def test_a_member_app_can_neither_issue_nor_read_gift_cards(api: Api) -> None:
    code = issue(api.admin, "10.00")
    member = _member(api, "app")
    token = api.admin.post(f"/v1/members/id:{member}/tokens", json={}).json()["token"]
    with api.as_member(token) as app:
        assert_problem(app.post("/v1/gift-cards", json={"amount": "10.00"}), 403, "forbidden")
        assert_problem(app.get(f"/v1/gift-cards/{code}"), 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "slug"),
    [
        ({"amount": "0.00"}, "invalid-input"),
        ({"amount": "10.001"}, "invalid-input"),
        ({"amount": "10.00", "pin": "12"}, "validation-error"),
        ({"amount": "10.00", "valid_until": "2020-01-01T00:00:00Z"}, "invalid-input"),
    ],
)
def test_a_card_that_cannot_exist_is_not_issued(api: Api, body: dict[str, Any], slug: str) -> None:
    assert_problem(api.admin.post("/v1/gift-cards", json=body), 422, slug)
    assert verify_gift_cards(api.container.ctx).cards_checked == 0


def test_the_points_a_member_could_spend_are_counted_on_what_the_cards_leave(api: Api) -> None:
    member = _member(api, "points-too")
    grant = {"points": 2000, "reason": "test float"}
    assert api.admin.post(f"/v1/members/id:{member}/adjustments", json=grant).status_code == 201
    code = issue(api.admin, "100.00")
    lines = [("A", 1, "115.00")]

    without = api.pos.post("/v1/checkout/quote", json=purchase_body(member, lines)).json()
    quote = api.pos.post("/v1/checkout/quote", json=paid_with(member, lines, code)).json()

    # 10 points pay 1.00: 1 150 points could pay the whole basket, 150 what the card leaves
    assert (without["redeemable_points"], without["redeemable_value"]["amount"]) == (1150, "115.00")
    assert (quote["redeemable_points"], quote["redeemable_value"]["amount"]) == (150, "15.00")
    assert quote["available_points"] == 2000


def test_an_expired_card_pays_nothing_more_and_takes_no_refund(api: Api, clock: FakeClock) -> None:
    until = clock.now() + timedelta(days=30)
    code = issue(api.admin, "100.00", valid_until=until.isoformat())
    assert card(api.admin, code)["valid_until"] == until.isoformat().replace("+00:00", "Z")
    bought = api.pos.post(
        "/v1/purchases", json=paid_with(_member(api, "before"), [("A", 1, "40.00")], code)
    ).json()
    clock.advance(timedelta(days=30))

    late = paid_with(_member(api, "after"), [("A", 1, "10.00")], code)
    _refused_sale(api, late, 409, "gift-card-expired")
    load = api.admin.post(f"/v1/gift-cards/{code}/load", json={"amount": "5.00"})
    assert_problem(load, 409, "gift-card-expired")
    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={}).json()

    assert returned["gift_card_refunds"] == [
        {"code": code, "amount": "40.00", "refunded": False, "balance_after": None}
    ]
    assert card(api.admin, code)["balance"] == "60.00"
    voided = api.admin.post(f"/v1/gift-cards/{code}/void", json={"reason": "expired"}).json()
    assert voided["balance"] == "0.00"  # what an expired card held can still be written off
    assert verify_gift_cards(api.container.ctx).ok
