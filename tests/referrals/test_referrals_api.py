"""Referrals end to end over HTTP, on SQLite and PostgreSQL: codes, friends enrolled with
them, the guards, rewards pending through the return window, a full return taking them back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api
from tests.support.clock import FakeClock

LINK = "https://shop.example/join?ref={code}"


def programme(pending_days: int, **referrals: Any) -> dict[str, Any]:
    return {
        "currency": "PLN",
        "pending_days": pending_days,
        "referrals": {"link": LINK, **referrals},
    }


def apply(api: Api, pending_days: int = 14, **referrals: Any) -> None:
    response = api.admin.put("/v1/programme", json=programme(pending_days, **referrals))
    assert response.status_code in (200, 201), response.text


def referral(client: httpx.Client, member_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/members/id:{member_id}/referral")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def code_of(api: Api, member_id: str) -> str:
    code: str = referral(api.pos, member_id)["code"]
    return code


def buy(api: Api, member_id: str, amount: str, receipt: str) -> dict[str, Any]:
    body = purchase_body(member_id, [("SKU", 1, amount)], receipt=receipt)
    response = api.pos.post("/v1/purchases", json=body)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def members_named(api: Api, email: str) -> list[dict[str, Any]]:
    response = api.admin.get("/v1/members", params={"q": email})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_every_member_has_a_code_and_a_link(api: Api) -> None:
    apply(api, join={"friend": 20})
    member = enrol(api.admin, email="ann@example.pl")["member_id"]
    shown = referral(api.admin, member)
    assert len(shown["code"]) == 8
    assert shown["link"] == f"https://shop.example/join?ref={shown['code']}"
    assert shown["counts"] == {
        "invited": 0,
        "qualified": 0,
        "rewarded": 0,
        "refused": 0,
        "reversed": 0,
    }
    assert (shown["points_pending"], shown["points_earned"]) == (0, 0)
    assert referral(api.pos, member)["code"] == shown["code"]  # the same code every time
    checked = api.pos.get(f"/v1/referral-codes/{shown['code'].lower()}")
    assert checked.status_code == 200, checked.text
    assert checked.json() == {"code": shown["code"], "valid": True}


def test_a_friend_joins_buys_and_both_sides_are_rewarded_after_the_return_window(
    api: Api, clock: FakeClock
) -> None:
    apply(api, join={"friend": 20}, first_purchase={"advocate": 100, "min_amount": "50.00"})
    advocate = enrol(api.admin, email="ann@example.pl", first_name="Ann", last_name="Nowak")
    code = code_of(api, advocate["member_id"])
    typed = f"{code[:4].lower()}-{code[4:].lower()}"
    friend = enrol(
        api.admin, email="bob@example.pl", first_name="Bob", last_name="Kowal", referral_code=typed
    )
    assert friend["referral"]["status"] == "pending"
    assert friend["referral"]["code"] == code
    assert friend["balance"] == {"available": 0, "pending": 20, "held": 0, "debt": 0}
    friend_id, advocate_id = friend["member_id"], advocate["member_id"]

    small = buy(api, friend_id, "40.00", "R-1")  # under the minimum: the referral waits
    assert balance(api.pos, advocate_id)["pending"] == 0
    assert "referral" not in str(small["effects"])
    first = buy(api, friend_id, "60.00", "R-2")
    assert balance(api.pos, advocate_id) == {"available": 0, "pending": 100, "held": 0, "debt": 0}
    assert first["balance"]["pending"] == 20 + 40 + 60
    buy(api, friend_id, "60.00", "R-2")  # the till resends the receipt
    buy(api, friend_id, "80.00", "R-3")  # a second purchase
    assert balance(api.pos, advocate_id)["pending"] == 100

    shown = referral(api.admin, advocate_id)
    assert shown["counts"] == {
        "invited": 1,
        "qualified": 1,
        "rewarded": 0,
        "refused": 0,
        "reversed": 0,
    }
    assert (shown["points_pending"], shown["points_earned"]) == (100, 100)

    clock.advance(timedelta(days=14))
    run_due(api.container.ctx)
    assert balance(api.pos, advocate_id) == {"available": 100, "pending": 0, "held": 0, "debt": 0}
    assert balance(api.pos, friend_id)["available"] == 20 + 40 + 60 + 80
    shown = referral(api.admin, advocate_id)
    assert shown["counts"] == {
        "invited": 1,
        "qualified": 1,
        "rewarded": 1,
        "refused": 0,
        "reversed": 0,
    }
    assert (shown["points_pending"], shown["points_earned"]) == (0, 100)
    friends = api.admin.get(f"/v1/members/id:{advocate_id}/referrals").json()["items"]
    assert [(f["name"], f["email"], f["status"], f["points"]) for f in friends] == [
        ("Bob K.", "b***@example.pl", "rewarded", 100)
    ]
    assert verify_ledger(api.container.ctx).ok


def test_the_referral_points_are_journal_entries_of_source_referral(api: Api) -> None:
    apply(api, join={"advocate": 30, "friend": 20})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    assert friend["referral"]["status"] == "qualified"
    for member_id, points in ((advocate, 30), (friend["member_id"], 20)):
        entries = api.admin.get(f"/v1/members/id:{member_id}/ledger").json()["items"]
        referral_entries = [e for e in entries if e["source_type"] == "referral"]
        assert [e["kind"] for e in referral_entries] == ["earn"]
        assert balance(api.pos, member_id)["pending"] == points


@pytest.mark.parametrize(
    ("advocate_fields", "friend_fields", "matched"),
    [
        ({"email": "ann@example.pl"}, {"email": "ANN@Example.PL"}, "email"),
        ({"email": "ann.nowak@gmail.com"}, {"email": "Ann.Nowak+shop@gmail.com"}, "email"),
        ({"email": "ann@example.pl"}, {"email": "ann+friend@example.pl"}, "email"),
        ({"phone": "+48601234567"}, {"phone": "+48 601-234-567"}, "phone"),
    ],
)
def test_a_self_referral_is_refused_and_nothing_is_written(
    api: Api, advocate_fields: dict[str, str], friend_fields: dict[str, str], matched: str
) -> None:
    apply(api, join={"advocate": 30, "friend": 20})
    advocate = enrol(api.admin, **advocate_fields)["member_id"]
    code = code_of(api, advocate)
    before = api.admin.get("/v1/members").json()["items"]
    body = {**friend_fields, "referral_code": code}
    refused = api.admin.post("/v1/members", json=body, headers={"Idempotency-Key": "self-1"})
    problem = assert_problem(refused, 409, "self-referral")
    assert problem["matched"] == matched
    again = api.admin.post("/v1/members", json=body, headers={"Idempotency-Key": "self-1"})
    assert_problem(again, 409, "self-referral")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(api.admin.post("/v1/members", json=body), 409, "self-referral")
    assert api.admin.get("/v1/members").json()["items"] == before
    assert balance(api.pos, advocate)["pending"] == 0
    assert referral(api.admin, advocate)["counts"]["invited"] == 0


def test_an_unknown_code_enrols_the_member_and_reports_the_code(api: Api) -> None:
    apply(api, join={"friend": 20})
    friend = enrol(api.admin, email="bob@example.pl", referral_code="ZZZZ-ZZZZ")
    assert friend["referral"]["status"] == "refused"
    assert friend["referral"]["reason"] == "unknown-referral-code"
    assert friend["referral"]["problem"]["type"] == "/problems/unknown-referral-code"
    assert friend["balance"]["pending"] == 0
    assert members_named(api, "bob@example.pl")[0]["member_id"] == friend["member_id"]
    assert_problem(api.pos.get("/v1/referral-codes/ZZZZZZZZ"), 404, "unknown-referral-code")
    catalogue = {p["type"] for p in api.admin.get("/problems").json()}
    assert {"/problems/self-referral", "/problems/unknown-referral-code"} <= catalogue


def test_the_cap_refuses_rewards_past_it_and_the_friend_still_joins(
    api: Api, clock: FakeClock
) -> None:
    apply(api, join={"advocate": 30, "friend": 20}, cap={"times": 2, "per": "month"})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    code = code_of(api, advocate)
    joined = [enrol(api.admin, email=f"friend{n}@example.pl", referral_code=code) for n in range(3)]
    assert [(f["referral"]["status"], f["referral"]["reason"]) for f in joined] == [
        ("qualified", None),
        ("qualified", None),
        ("refused", "cap-reached"),
    ]
    assert [f["balance"]["pending"] for f in joined] == [20, 20, 0]
    assert balance(api.pos, advocate)["pending"] == 60
    shown = referral(api.admin, advocate)
    assert shown["counts"] == {
        "invited": 3,
        "qualified": 2,
        "rewarded": 0,
        "refused": 1,
        "reversed": 0,
    }

    clock.advance(timedelta(days=31))  # 1 April: a new month
    april = enrol(api.admin, email="friend3@example.pl", referral_code=code)
    assert april["referral"]["status"] == "qualified"
    assert balance(api.pos, advocate)["pending"] == 30  # March's 60 matured, April's 30 waits


def test_the_cap_counts_at_the_first_purchase_when_only_purchases_reward(api: Api) -> None:
    apply(api, first_purchase={"advocate": 100}, cap={"times": 1, "per": "month"})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    code = code_of(api, advocate)
    first = enrol(api.admin, email="bob@example.pl", referral_code=code)["member_id"]
    second = enrol(api.admin, email="eve@example.pl", referral_code=code)["member_id"]
    buy(api, second, "10.00", "R-1")
    refused = buy(api, first, "10.00", "R-2")
    assert any("cap-reached" in e["description"] for e in refused["effects"])
    assert balance(api.pos, advocate)["pending"] == 100
    friends = api.admin.get(f"/v1/members/id:{advocate}/referrals").json()["items"]
    assert sorted((f["status"], f["reason"]) for f in friends) == [
        ("qualified", None),
        ("refused", "cap-reached"),
    ]


def test_a_full_return_in_the_window_takes_the_referral_points_back(api: Api) -> None:
    apply(api, join={"friend": 20}, first_purchase={"advocate": 100, "friend": 10})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    friend_id = friend["member_id"]
    body = purchase_body(friend_id, [("A", 2, "30.00")], receipt="R-1")
    bought = api.pos.post("/v1/purchases", json=body).json()
    assert balance(api.pos, advocate)["pending"] == 100
    assert balance(api.pos, friend_id)["pending"] == 20 + 10 + 60

    returns = f"/v1/purchases/{bought['purchase_id']}/returns"
    partly = api.pos.post(returns, json={"lines": [{"sku": "A", "quantity": 1}]})
    assert partly.status_code == 201, partly.text
    assert balance(api.pos, advocate)["pending"] == 100  # a partial return keeps the referral
    rest = api.pos.post(returns, json={"lines": [{"sku": "A", "quantity": 1}]})
    assert rest.status_code == 201, rest.text
    assert balance(api.pos, advocate) == {"available": 0, "pending": 0, "held": 0, "debt": 0}
    assert balance(api.pos, friend_id)["pending"] == 20  # the join reward stands
    assert rest.json()["balance"]["pending"] == 20
    friends = api.admin.get(f"/v1/members/id:{advocate}/referrals").json()["items"]
    assert [(f["status"], f["reason"], f["points"]) for f in friends] == [
        ("reversed", "first-purchase-returned", 0)
    ]
    shown = referral(api.admin, advocate)
    assert shown["counts"] == {
        "invited": 1,
        "qualified": 0,
        "rewarded": 0,
        "refused": 0,
        "reversed": 1,
    }
    assert (shown["points_pending"], shown["points_earned"]) == (0, 0)
    again = buy(api, friend_id, "60.00", "R-2")  # a later purchase does not qualify it again
    assert balance(api.pos, advocate)["pending"] == 0
    assert again["balance"]["pending"] == 20 + 60
    assert verify_ledger(api.container.ctx).ok


def test_a_return_after_the_window_leaves_the_referral_points(api: Api, clock: FakeClock) -> None:
    apply(api, first_purchase={"advocate": 100})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    bought = buy(api, friend["member_id"], "60.00", "R-1")
    clock.advance(timedelta(days=15))
    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    run_due(api.container.ctx)
    assert balance(api.pos, advocate) == {"available": 100, "pending": 0, "held": 0, "debt": 0}
    assert referral(api.admin, advocate)["counts"]["rewarded"] == 1
    assert verify_ledger(api.container.ctx).ok


HELD = {"hold_days": 14, "join": {"friend": 20}, "first_purchase": {"advocate": 100, "friend": 10}}


def test_with_points_spendable_at_once_the_referral_rewards_still_wait_their_hold(
    api: Api, clock: FakeClock
) -> None:
    # Given purchase points available at once, and referral rewards held for 14 days
    apply(api, pending_days=0, **HELD)
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    friend_id = friend["member_id"]
    assert friend["balance"] == {"available": 0, "pending": 20, "held": 0, "debt": 0}

    # When the friend's first purchase qualifies the referral
    bought = buy(api, friend_id, "60.00", "R-1")

    # Then the purchase's own points are spendable, the referral's wait the hold
    assert bought["balance"] == {"available": 60, "pending": 20 + 10, "held": 0, "debt": 0}
    assert [
        (e["points"], e["description"]) for e in bought["effects"] if e["rule_id"] == "referral"
    ] == [
        (10, "10 points for joining through a friend's code (first purchase), pending for 14 days")
    ]
    assert balance(api.pos, advocate) == {"available": 0, "pending": 100, "held": 0, "debt": 0}

    # and a full return on the hold's last day takes the first-purchase rewards back
    clock.advance(timedelta(days=13, hours=23))
    run_due(api.container.ctx)
    assert balance(api.pos, advocate)["pending"] == 100
    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    assert returned.json()["balance"] == {"available": 0, "pending": 20, "held": 0, "debt": 0}
    assert balance(api.pos, advocate) == {"available": 0, "pending": 0, "held": 0, "debt": 0}
    friends = api.admin.get(f"/v1/members/id:{advocate}/referrals").json()["items"]
    assert [(f["status"], f["reason"], f["points"]) for f in friends] == [
        ("reversed", "first-purchase-returned", 0)
    ]
    clock.advance(timedelta(hours=1))
    run_due(api.container.ctx)
    assert balance(api.pos, friend_id) == {"available": 20, "pending": 0, "held": 0, "debt": 0}
    assert verify_ledger(api.container.ctx).ok


def test_once_the_hold_has_closed_a_return_leaves_the_referral_rewards(
    api: Api, clock: FakeClock
) -> None:
    apply(api, pending_days=0, **HELD)
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    bought = buy(api, friend["member_id"], "60.00", "R-1")
    clock.advance(timedelta(days=14))
    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    assert returned.json()["balance"] == {"available": 20 + 10, "pending": 0, "held": 0, "debt": 0}
    run_due(api.container.ctx)  # the advocate's matured points, made available by the job
    assert balance(api.pos, advocate) == {"available": 100, "pending": 0, "held": 0, "debt": 0}
    assert referral(api.admin, advocate)["counts"]["rewarded"] == 1
    assert verify_ledger(api.container.ctx).ok


def test_a_programme_whose_first_purchase_rewards_would_not_wait_is_refused(api: Api) -> None:
    apply(api, pending_days=14, first_purchase={"advocate": 100})
    refused = api.admin.put("/v1/programme", json=programme(0, first_purchase={"advocate": 100}))
    problem = assert_problem(refused, 422, "invalid-programme")
    assert [e["message"] for e in problem["errors"]] == [
        "referrals: first_purchase rewards must wait for the friend's return window: "
        "set referrals.hold_days (or pending_days) to 1 day or more"
    ]
    versions = api.admin.get("/v1/programme/versions").json()
    assert [v["version"] for v in versions] == [1]  # nothing applied


def test_a_hold_shorter_than_pending_days_waits_pending_days(api: Api, clock: FakeClock) -> None:
    apply(api, pending_days=30, hold_days=14, first_purchase={"advocate": 100})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    bought = buy(api, friend["member_id"], "60.00", "R-1")
    clock.advance(timedelta(days=29))
    run_due(api.container.ctx)
    assert balance(api.pos, advocate)["pending"] == 100  # still in the 30-day return window
    returned = api.pos.post(f"/v1/purchases/{bought['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    assert balance(api.pos, advocate) == {"available": 0, "pending": 0, "held": 0, "debt": 0}
    assert verify_ledger(api.container.ctx).ok


def test_referrals_switched_off_record_the_referral_and_give_nothing(api: Api) -> None:
    apply(api, enabled=False, join={"advocate": 30, "friend": 20})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    assert (friend["referral"]["status"], friend["referral"]["reason"]) == (
        "refused",
        "referrals-disabled",
    )
    assert balance(api.pos, advocate)["pending"] == 0


def test_an_idempotent_enrolment_with_a_code_rewards_once(api: Api) -> None:
    apply(api, join={"advocate": 30, "friend": 20})
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    body = {"email": "bob@example.pl", "referral_code": code_of(api, advocate)}
    first = api.admin.post("/v1/members", json=body, headers={"Idempotency-Key": "join-1"})
    again = api.admin.post("/v1/members", json=body, headers={"Idempotency-Key": "join-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert balance(api.pos, advocate)["pending"] == 30
    assert referral(api.admin, advocate)["counts"]["invited"] == 1


def test_the_member_app_sees_its_own_referral_only(api: Api) -> None:
    apply(api, join={"friend": 20})
    ann = enrol(api.admin, email="ann@example.pl")["member_id"]
    bob = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, ann))["member_id"]
    token = api.admin.post(f"/v1/members/id:{ann}/tokens", json={}).json()["token"]
    with api.as_member(token) as app:
        mine = app.get("/v1/me/referral")
        assert mine.status_code == 200, mine.text
        assert mine.json()["code"] == code_of(api, ann)
        assert mine.json()["counts"]["invited"] == 1
        assert app.get(f"/v1/members/id:{ann}/referrals").status_code == 200
        assert_problem(app.get(f"/v1/members/id:{bob}/referral"), 403, "forbidden")
        assert_problem(app.get(f"/v1/members/id:{bob}/referrals"), 403, "forbidden")


def test_a_reversal_gives_back_exactly_the_debt_a_reward_settled(
    api: Api, clock: FakeClock
) -> None:
    document = {
        "currency": "PLN",
        "pending_days": 14,
        "earning": {"points": 1, "per": "1.00", "exclude_skus": ["GIFT"]},
        "referrals": {"first_purchase": {"advocate": 100, "friend": 10, "min_amount": "50.00"}},
    }
    assert api.admin.put("/v1/programme", json=document).status_code in (200, 201)
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    friend_id = friend["member_id"]
    small = buy(api, friend_id, "40.00", "R-1")  # 40 points, below the minimum
    clock.advance(timedelta(days=14))
    spent = api.admin.post(
        f"/v1/members/id:{friend_id}/adjustments", json={"points": -40, "reason": "spent"}
    )
    assert spent.status_code == 201, spent.text
    back = api.pos.post(f"/v1/purchases/{small['purchase_id']}/returns", json={})
    assert back.json()["balance"]["debt"] == -40  # the points were spent: owed

    body = purchase_body(friend_id, [("GIFT", 1, "60.00")], receipt="R-2")  # earns nothing
    first = api.pos.post("/v1/purchases", json=body).json()
    assert first["balance"] == {"available": 0, "pending": 0, "held": 0, "debt": -30}
    returned = api.pos.post(f"/v1/purchases/{first['purchase_id']}/returns", json={})
    assert returned.json()["balance"] == {"available": 0, "pending": 0, "held": 0, "debt": -40}
    assert balance(api.pos, advocate)["pending"] == 0
    assert verify_ledger(api.container.ctx).ok


def test_without_a_return_window_a_join_reward_is_spendable_at_once(api: Api) -> None:
    document = {"currency": "PLN", "pending_days": 0, "referrals": {"join": {"friend": 20}}}
    assert api.admin.put("/v1/programme", json=document).status_code in (200, 201)
    advocate = enrol(api.admin, email="ann@example.pl")["member_id"]
    friend = enrol(api.admin, email="bob@example.pl", referral_code=code_of(api, advocate))
    assert friend["referral"]["status"] == "rewarded"
    assert friend["balance"] == {"available": 20, "pending": 0, "held": 0, "debt": 0}
    assert referral(api.admin, advocate)["link"] is None  # no link template
