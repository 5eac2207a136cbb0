"""Purchases earn at the base rate; returns take back proportionally."""

from __future__ import annotations

from tests.api.helpers import assert_problem, balance, buy, enrol, purchase_body
from tests.conftest import Api


def test_a_purchase_earns_one_point_per_zloty_rounded_down(api: Api) -> None:
    member = enrol(api.admin, email="earn@example.pl")
    body = purchase_body(
        f"card:{member['card']['number']}",
        [("123", 1, "12.00"), ("000", 1, "100.00"), ("0001", 1, "40.99")],
    )

    response = api.pos.post("/v1/purchases", json=body)

    assert response.status_code == 201, response.text
    result = response.json()
    assert result["points_earned"] == 152
    assert result["total"] == "152.99"
    assert result["balance"]["available"] == 152
    [effect] = result["effects"]
    assert effect["kind"] == "points_earned"
    assert effect["rule_id"] == "base-rate"
    assert effect["programme_version"] == 0  # the built-in default: nothing applied yet


def test_a_partial_return_takes_back_the_share_of_the_returned_lines(api: Api) -> None:
    member = enrol(api.admin, email="ret@example.pl")
    bought = api.pos.post(
        "/v1/purchases",
        json=purchase_body(
            member["member_id"], [("A", 2, "50.00"), ("B", 1, "33.00"), ("C", 3, "0.99")]
        ),
    ).json()
    assert bought["points_earned"] == 135  # 135.97 PLN

    response = api.pos.post(
        f"/v1/purchases/{bought['purchase_id']}/returns",
        json={"lines": [{"sku": "A", "quantity": 1}]},
    )

    assert response.status_code == 201, response.text
    returned = response.json()
    assert returned["value"] == "50.00"
    assert returned["points_taken"] == 49  # floor(135 * 50.00 / 135.97)
    assert returned["debt_recorded"] == 0
    assert balance(api.pos, member["member_id"])["available"] == 135 - 49


def test_returning_everything_in_parts_gives_back_exactly_what_was_earned(api: Api) -> None:
    member = enrol(api.admin, email="parts@example.pl")
    bought = api.pos.post(
        "/v1/purchases", json=purchase_body(member["member_id"], [("A", 3, "3.33")])
    ).json()
    assert bought["points_earned"] == 9

    taken = [
        api.pos.post(
            f"/v1/purchases/{bought['purchase_id']}/returns",
            json={"lines": [{"sku": "A", "quantity": 1}]},
        ).json()["points_taken"]
        for _ in range(3)
    ]

    assert sum(taken) == 9
    assert balance(api.pos, member["member_id"])["available"] == 0
    again = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})
    assert_problem(again, 409, "return-exceeds-purchase")


def test_a_return_after_spending_records_a_debt_settled_by_the_next_purchase(api: Api) -> None:
    member = enrol(api.admin, email="debt@example.pl")
    member_ref = f"id:{member['member_id']}"
    bought = buy(api.pos, member_ref, "100.00")
    hold = api.pos.post("/v1/reservations", json={"member": member_ref, "points": 80}).json()
    api.pos.post(f"/v1/reservations/{hold['reservation_id']}/commit")

    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={}).json()

    assert returned["points_taken"] == 100
    assert returned["debt_recorded"] == 80
    assert returned["balance"] == {"available": 0, "pending": 0, "held": 0, "debt": -80}
    kinds = [e["kind"] for e in returned["effects"]]
    assert kinds == ["points_returned", "debt_recorded"]

    later = buy(api.pos, member_ref, "50.00")

    assert later["points_earned"] == 50
    assert later["balance"] == {"available": 0, "pending": 0, "held": 0, "debt": -30}
    assert [e["kind"] for e in later["effects"]] == ["points_earned", "debt_settled"]
    settled = buy(api.pos, member_ref, "45.00")
    assert settled["balance"] == {"available": 15, "pending": 0, "held": 0, "debt": 0}


def test_a_resent_receipt_earns_nothing_more(api: Api) -> None:
    member = enrol(api.admin, email="resend@example.pl")
    body = purchase_body(member["member_id"], [("A", 1, "20.00")], receipt="R-same")
    first = api.pos.post("/v1/purchases", json=body)

    again = api.pos.post("/v1/purchases", json=body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["purchase_id"] == first.json()["purchase_id"]
    assert balance(api.pos, member["member_id"])["available"] == 20


def test_the_same_receipt_with_other_content_is_a_conflict(api: Api) -> None:
    member = enrol(api.admin, email="conflict@example.pl")
    api.pos.post(
        "/v1/purchases", json=purchase_body(member["member_id"], [("A", 1, "20.00")], receipt="R-x")
    )

    response = api.pos.post(
        "/v1/purchases", json=purchase_body(member["member_id"], [("A", 1, "99.00")], receipt="R-x")
    )

    assert_problem(response, 409, "receipt-conflict")
    assert balance(api.pos, member["member_id"])["available"] == 20


def test_the_same_receipt_id_in_another_store_is_another_sale(api: Api) -> None:
    member = enrol(api.admin, email="stores@example.pl")
    buy(api.pos, member["member_id"], "10.00", receipt="R-1", store="a")
    buy(api.pos, member["member_id"], "10.00", receipt="R-1", store="b")

    assert balance(api.pos, member["member_id"])["available"] == 20


def test_inconsistent_baskets_are_refused_and_nothing_is_written(api: Api) -> None:
    member = enrol(api.admin, email="bad@example.pl")
    wrong_total = purchase_body(member["member_id"], [("A", 1, "10.00")], total="11.00")
    wrong_currency = {**purchase_body(member["member_id"], [("A", 1, "10.00")]), "currency": "EUR"}
    too_precise = purchase_body(member["member_id"], [("A", 1, "10.001")], total="10.00")

    assert_problem(api.pos.post("/v1/purchases", json=wrong_total), 422, "total-mismatch")
    assert_problem(api.pos.post("/v1/purchases", json=wrong_currency), 422, "currency-mismatch")
    assert_problem(api.pos.post("/v1/purchases", json=too_precise), 422, "invalid-input")
    malformed = api.pos.post("/v1/purchases", json={"member": "x"})
    body = assert_problem(malformed, 422, "validation-error")
    assert body["errors"]
    assert balance(api.pos, member["member_id"])["available"] == 0
    assert api.admin.get(f"/v1/members/id:{member['member_id']}/ledger").json()["items"] == []


def test_unknown_member_and_purchase_are_404_problems(api: Api) -> None:
    body = purchase_body("ext:ghost", [("A", 1, "10.00")])
    assert_problem(api.pos.post("/v1/purchases", json=body), 404, "member-not-found")
    assert_problem(
        api.pos.post("/v1/purchases/00000000-0000-0000-0000-000000000000/returns", json={}),
        404,
        "purchase-not-found",
    )
