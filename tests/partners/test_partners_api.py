"""Partners through the API, on SQLite and PostgreSQL: a partner's sales earn its
rate, its tills spend points, it sees only its own data, and its settlement equals
what the ledger's own entries say, to the point and to the grosz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select

from loyalo.adapters.storage.tables import JournalEntryRow
from loyalo.application.audit import verify_ledger
from tests.api.helpers import assert_problem, balance, buy, enrol, purchase_body
from tests.conftest import Api
from tests.partners.support import add_partner, ledger_totals, minor
from tests.support.clock import FakeClock

DAY = "2026-03-01"  # the FakeClock's day (UTC, the default programme's zone)
START = datetime(2026, 3, 1, tzinfo=UTC)


def _sale(client: httpx.Client, member: str, amount: str, **kw: Any) -> dict[str, Any]:
    response = client.post(
        "/v1/partner/purchases", json=purchase_body(member, [("SKU", 2, amount)], **kw)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _settlement(client: httpx.Client, path: str, first: str = DAY, last: str = DAY) -> Any:
    response = client.get(path, params={"from": first, "to": last})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_partner_sale_earns_the_partner_rate_and_its_till_spends_points(api: Api) -> None:
    fuel = add_partner(api, "fuelco", earn="2", issue="0.05", redeem="0.08")
    member = enrol(api.admin, email="ann@example.pl")["member_id"]

    sale = _sale(fuel, member, "50.00", store="st-1")  # 2 x 50.00 at 2 points per 1.00

    assert sale["points_earned"] == 200
    assert sale["store_id"] == "st-1"
    assert [e["rule_id"] for e in sale["effects"]] == ["partner-fuelco"]
    assert balance(api.admin, member)["available"] == 200
    seen = fuel.get(f"/v1/partner/members/id:{member}")
    assert seen.status_code == 200, seen.text
    assert seen.json() == {
        "member_id": member,
        "card_number": seen.json()["card_number"],
        "first_name": None,
        "available_points": 200,
        "available_value": {"amount": "20.00", "currency": "PLN"},
    }
    hold = fuel.post(
        "/v1/partner/reservations", json={"member": member, "amount": "5.00", "store_id": "st-1"}
    )
    assert hold.status_code == 201, hold.text
    committed = fuel.post(
        f"/v1/partner/reservations/{hold.json()['reservation_id']}/commit", json={"points": 30}
    )
    assert committed.status_code == 200, committed.text
    assert committed.json()["committed_points"] == 30
    assert balance(api.admin, member) == {"available": 170, "pending": 0, "held": 0, "debt": 0}


def test_a_partner_sale_gets_none_of_the_programmes_own_offers(api: Api) -> None:
    applied = api.admin.put(
        "/v1/programme",
        json={
            "currency": "PLN",
            "earning": {"points": 1},
            "tiers": {
                "metric": "money_spent",
                "levels": [
                    {
                        "id": "base",
                        "name": "Base",
                        "threshold": 0,
                        "benefits": {"discount_percent": 10, "earn_multiplier": 3},
                    },
                ],
            },
            "rules": [
                {"id": "double", "name": "x2", "effect": {"type": "multiplier", "factor": 2}},
                {"id": "bonus", "name": "+7", "effect": {"type": "points", "points": 7}},
            ],
        },
    )
    assert applied.status_code == 201, applied.text
    fuel = add_partner(api, "fuelco", earn="3")
    member = enrol(api.admin, email="bo@example.pl")["member_id"]

    own = buy(api.pos, member, "10.00")
    partner = _sale(fuel, member, "5.00")

    assert own["to_pay"] == "9.00"
    assert own["points_earned"] > 9
    assert (partner["to_pay"], partner["points_earned"]) == ("10.00", 30)  # 3 per 1.00, no more
    assert [e["rule_id"] for e in partner["effects"]] == ["partner-fuelco"]


def test_the_same_store_and_receipt_at_two_partners_are_two_sales(api: Api) -> None:
    fuel, books = add_partner(api, "fuelco", earn="2"), add_partner(api, "bookco", earn="1.5")
    member = enrol(api.admin, email="cy@example.pl")["member_id"]

    first = _sale(fuel, member, "50.00", store="st-1", receipt="R-1")
    second = _sale(books, member, "50.00", store="st-1", receipt="R-1")

    assert first["purchase_id"] != second["purchase_id"]
    assert (first["points_earned"], second["points_earned"]) == (200, 150)
    resent = fuel.post(
        "/v1/partner/purchases",
        json=purchase_body(member, [("SKU", 2, "50.00")], store="st-1", receipt="R-1"),
    )
    assert resent.status_code == 200
    assert resent.json()["replayed"] is True
    assert balance(api.admin, member)["available"] == 350


def test_a_partner_sees_only_its_own_data(api: Api) -> None:
    fuel, books = add_partner(api, "fuelco"), add_partner(api, "bookco")
    member = enrol(api.admin, email="di@example.pl")["member_id"]
    fuel_sale = _sale(fuel, member, "50.00")
    _sale(books, member, "10.00")
    fuel_hold = fuel.post(
        "/v1/partner/reservations", json={"member": member, "points": 10, "store_id": "st-1"}
    ).json()

    for path in ("/v1/partners/fuelco", "/v1/partners/fuelco/transactions"):
        assert_problem(books.get(path), 403, "forbidden")
    assert_problem(
        books.get("/v1/partners/fuelco/settlement", params={"from": DAY, "to": DAY}),
        403,
        "forbidden",
    )
    assert_problem(
        books.get("/v1/partners/nosuch/settlement", params={"from": DAY, "to": DAY}),
        403,
        "forbidden",
    )
    assert_problem(books.get("/v1/partners"), 403, "forbidden")
    assert_problem(books.post("/v1/partners/bookco/keys", json={"name": "mine"}), 403, "forbidden")
    assert_problem(
        books.post(f"/v1/partner/purchases/{fuel_sale['purchase_id']}/returns", json={}),
        404,
        "purchase-not-found",
    )
    for action in ("commit", "release"):
        assert_problem(
            books.post(f"/v1/partner/reservations/{fuel_hold['reservation_id']}/{action}"),
            404,
            "reservation-not-found",
        )
    # nor any of the programme's own calls
    assert_problem(books.get(f"/v1/members/id:{member}"), 403, "forbidden")
    assert_problem(books.get(f"/v1/members/id:{member}/ledger"), 403, "forbidden")
    assert_problem(books.get(f"/v1/purchases/{fuel_sale['purchase_id']}"), 403, "forbidden")
    assert_problem(
        books.post("/v1/purchases", json=purchase_body(member, [("A", 1, "1.00")])),
        403,
        "forbidden",
    )
    assert_problem(
        books.post("/v1/reservations", json={"member": member, "points": 1}), 403, "forbidden"
    )
    assert_problem(
        books.post("/v1/api-keys", json={"name": "x", "role": "admin"}), 403, "forbidden"
    )
    # and an admin or pos key is no partner at a partner's till
    assert_problem(
        api.pos.post("/v1/partner/purchases", json=purchase_body(member, [("A", 1, "1.00")])),
        403,
        "forbidden",
    )
    assert_problem(api.admin.get("/v1/partner/transactions"), 403, "forbidden")

    own = books.get("/v1/partner/transactions").json()["items"]
    assert [(t["kind"], t["points"]) for t in own] == [("purchase", 40)]
    assert {t["member_id"] for t in own} == {member}
    settlement = _settlement(books, "/v1/partner/settlement")
    assert (
        settlement["partner_id"],
        settlement["points_issued"],
        settlement["points_redeemed"],
    ) == ("bookco", 40, 0)
    by_admin = api.admin.get("/v1/partners/fuelco/transactions").json()["items"]
    assert [(t["kind"], t["points"]) for t in by_admin] == [("purchase", 200), ("hold", 10)]


def test_settlement_equals_the_ledger_to_the_point_and_the_grosz(
    api: Api, clock: FakeClock
) -> None:
    fuel = add_partner(api, "fuelco", earn="2", issue="0.0125", redeem="0.0333")
    books = add_partner(api, "bookco", earn="1", issue="0.03", redeem="0.05")
    ann = enrol(api.admin, email="ann@example.pl")["member_id"]
    bob = enrol(api.admin, email="bob@example.pl")["member_id"]
    buy(api.pos, ann, "80.00")  # the programme's own sale: no partner's
    first = _sale(fuel, ann, "33.33")  # 2 x 33.33 = 66.66: 133 points
    _sale(fuel, bob, "12.01")  # 24.02: 48 points
    _sale(books, bob, "7.00")
    returned = fuel.post(
        f"/v1/partner/purchases/{first['purchase_id']}/returns",
        json={"lines": [{"sku": "SKU", "quantity": 1}]},
    )
    assert returned.status_code == 201, returned.text
    assert returned.json()["points_taken"] == 66
    hold = fuel.post(
        "/v1/partner/reservations", json={"member": ann, "points": 101, "store_id": "st-1"}
    ).json()
    fuel.post(f"/v1/partner/reservations/{hold['reservation_id']}/commit", json={"points": 97})
    released = fuel.post(
        "/v1/partner/reservations", json={"member": bob, "points": 40, "store_id": "st-1"}
    ).json()
    fuel.post(f"/v1/partner/reservations/{released['reservation_id']}/release")
    # from the next day fuelco's prices change; its returns still credit the old price
    changed = api.admin.patch(
        "/v1/partners/fuelco",
        json={
            "rates": {
                "earn_points_per_unit": "3",
                "issue_price_per_point": "0.02",
                "redeem_price_per_point": "0.04",
            },
            "effective_from": "2026-03-02",
        },
    )
    assert changed.status_code == 200, changed.text
    clock.advance(timedelta(days=1))
    _sale(fuel, bob, "10.00")  # 60 points at the new rate
    again = api.admin.post(  # the programme's own key returns a partner's sale: it counts
        f"/v1/purchases/{first['purchase_id']}/returns",
        json={"lines": [{"sku": "SKU", "quantity": 1}]},
    )
    assert again.status_code == 201, again.text
    assert again.json()["points_taken"] == 67
    hold = fuel.post(
        "/v1/partner/reservations", json={"member": bob, "points": 50, "store_id": "st-1"}
    ).json()
    fuel.post(f"/v1/partner/reservations/{hold['reservation_id']}/commit")

    def price(name: str) -> Any:
        old, new = {
            "issue": (Decimal("0.0125"), Decimal("0.02")),
            "redeem": (Decimal("0.0333"), Decimal("0.04")),
        }[name]
        return lambda at: old if at < START + timedelta(days=1) else new

    ledger = ledger_totals(api.container.engine, "fuelco")
    for first_day, last_day, days in (
        (DAY, DAY, 1),
        ("2026-03-02", "2026-03-02", 1),
        (DAY, "2026-03-02", 2),
    ):
        start = datetime.fromisoformat(first_day).replace(tzinfo=UTC)
        end = start + timedelta(days=days)
        settlement = _settlement(api.admin, "/v1/partners/fuelco/settlement", first_day, last_day)
        issued = ledger.amount("issued", start, end, price("issue"))
        back = ledger.amount("taken_back", start, end, price("issue"))
        redeemed = ledger.amount("redeemed", start, end, price("redeem"))
        assert settlement["points_issued"] == ledger.points("issued", start, end)
        assert settlement["points_taken_back"] == ledger.points("taken_back", start, end)
        assert settlement["points_redeemed"] == ledger.points("redeemed", start, end)
        assert settlement["owed_by_partner"] == minor(issued - back)
        assert settlement["owed_to_partner"] == minor(redeemed)
        assert settlement["net"] == str(Decimal(minor(issued - back)) - Decimal(minor(redeemed)))
    whole = _settlement(fuel, "/v1/partner/settlement", DAY, "2026-03-02")
    assert (whole["partner_id"], whole["from"], whole["to"]) == ("fuelco", DAY, "2026-03-02")
    assert (whole["points_issued"], whole["points_taken_back"], whole["points_redeemed"]) == (
        133 + 48 + 60,
        66 + 67,
        97 + 50,
    )
    # (133+48) x 0.0125 + 60 x 0.02 - 133 x 0.0125 = 1.80; 97 x 0.0333 + 50 x 0.04 = 5.2301
    assert (whole["owed_by_partner"], whole["owed_to_partner"], whole["net"]) == (
        "1.80",
        "5.23",
        "-3.43",
    )
    with api.container.engine.connect() as connection:
        resolved = connection.execute(
            select(JournalEntryRow.store_id).where(JournalEntryRow.kind.in_(["commit", "release"]))
        ).scalars()
        assert sorted(resolved) == ["partner:fuelco/st-1"] * 3  # the entries name the partner
    assert verify_ledger(api.container.ctx).ok


def test_a_suspended_partner_neither_earns_nor_spends_but_reads_its_reports(api: Api) -> None:
    fuel = add_partner(api, "fuelco")
    member = enrol(api.admin, email="ed@example.pl")["member_id"]
    _sale(fuel, member, "10.00")
    hold = fuel.post(
        "/v1/partner/reservations", json={"member": member, "points": 5, "store_id": "st-1"}
    ).json()

    suspended = api.admin.patch("/v1/partners/fuelco", json={"status": "suspended"})

    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    sale = fuel.post("/v1/partner/purchases", json=purchase_body(member, [("A", 1, "1.00")]))
    assert_problem(sale, 409, "partner-suspended")
    commit = fuel.post(f"/v1/partner/reservations/{hold['reservation_id']}/commit")
    assert_problem(commit, 409, "partner-suspended")
    assert _settlement(fuel, "/v1/partner/settlement")["points_issued"] == 40


def test_a_partner_write_is_idempotent(api: Api) -> None:
    fuel = add_partner(api, "fuelco")
    member = enrol(api.admin, email="fi@example.pl")["member_id"]
    body = purchase_body(member, [("A", 1, "10.00")])

    first = fuel.post("/v1/partner/purchases", json=body, headers={"Idempotency-Key": "k-1"})
    again = fuel.post("/v1/partner/purchases", json=body, headers={"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json() == again.json()
    assert len(fuel.get("/v1/partner/transactions").json()["items"]) == 1
    assert balance(api.admin, member)["available"] == 20


def test_partners_are_managed_by_an_admin(api: Api, clock: FakeClock) -> None:
    created = api.admin.post(
        "/v1/partners",
        json={
            "partner_id": "fuelco",
            "name": "FuelCo",
            "currency": "PLN",
            "rates": {
                "earn_points_per_unit": "2",
                "issue_price_per_point": "0.05",
                "redeem_price_per_point": "0.08",
            },
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["rates"] == {
        "effective_from": "2026-03-01T12:00:00Z",
        "earn_points_per_unit": "2",
        "issue_price_per_point": "0.05",
        "redeem_price_per_point": "0.08",
    }
    again = api.admin.post(
        "/v1/partners", json={**created.json(), "rates": created.json()["rates"]} | {"name": "x"}
    )
    assert again.status_code == 422  # unknown fields (status, schedule, ...) are refused
    twice = api.admin.post(
        "/v1/partners",
        json={
            "partner_id": "fuelco",
            "name": "Again",
            "currency": "PLN",
            "rates": {
                "earn_points_per_unit": "1",
                "issue_price_per_point": "0",
                "redeem_price_per_point": "0",
            },
        },
    )
    assert_problem(twice, 409, "partner-exists")
    past = api.admin.patch(
        "/v1/partners/fuelco",
        json={
            "rates": {
                "earn_points_per_unit": "1",
                "issue_price_per_point": "0",
                "redeem_price_per_point": "0",
            },
            "effective_from": "2026-03-01",
        },
    )
    assert_problem(past, 422, "invalid-input")
    assert_problem(api.admin.get("/v1/partners/nosuch"), 404, "partner-not-found")
    assert_problem(
        api.admin.post("/v1/partners/nosuch/keys", json={"name": "k"}), 404, "partner-not-found"
    )
    assert_problem(api.pos.get("/v1/partners"), 403, "forbidden")
    unbound = api.admin.post("/v1/api-keys", json={"name": "k", "role": "partner"})
    assert_problem(unbound, 422, "invalid-input")
    assert [p["partner_id"] for p in api.admin.get("/v1/partners").json()] == ["fuelco"]
    renamed = api.admin.patch("/v1/partners/fuelco", json={"name": "FuelCo Stations"})
    assert renamed.json()["name"] == "FuelCo Stations"
    assert renamed.json()["rates"]["earn_points_per_unit"] == "2"


def test_a_partner_quote_earns_its_rate_and_writes_nothing(api: Api) -> None:
    fuel = add_partner(api, "fuelco", earn="2.5")
    member = enrol(api.admin, email="qu@example.pl")["member_id"]
    buy(api.pos, member, "40.00")

    quote = fuel.post("/v1/partner/checkout/quote", json=purchase_body(member, [("A", 3, "1.99")]))

    assert quote.status_code == 200, quote.text
    body = quote.json()
    assert body["points_to_earn"] == 14  # 2.5 x 5.97 = 14.925, rounded down
    assert [(p["rule_id"], p["points"]) for p in body["earnings"]] == [("partner-fuelco", 14)]
    assert (body["available_points"], body["redeemable_points"]) == (40, 40)
    assert fuel.get("/v1/partner/transactions").json()["items"] == []
    assert balance(api.admin, member)["available"] == 40


def test_transactions_page_and_filter_by_day(api: Api, clock: FakeClock) -> None:
    fuel = add_partner(api, "fuelco")
    member = enrol(api.admin, email="pg@example.pl")["member_id"]
    for _ in range(3):
        _sale(fuel, member, "1.00")
    clock.advance(timedelta(days=1))
    _sale(fuel, member, "2.00")

    page = fuel.get("/v1/partner/transactions", params={"limit": 2}).json()
    rest = fuel.get(
        "/v1/partner/transactions", params={"limit": 2, "after": page["next_after"]}
    ).json()
    second_day = fuel.get(
        "/v1/partner/transactions", params={"from": "2026-03-02", "to": "2026-03-02"}
    ).json()

    assert [t["points"] for t in page["items"] + rest["items"]] == [4, 4, 4, 8]
    assert rest["next_after"] is not None  # a full page: there may be more
    assert [t["points"] for t in second_day["items"]] == [8]
    assert second_day["next_after"] is None


def test_rates_dated_in_the_future_may_be_replaced_until_that_day(
    api: Api, clock: FakeClock
) -> None:
    add_partner(api, "fuelco", earn="2")

    def change(earn: str, effective_from: str | None) -> httpx.Response:
        body: dict[str, Any] = {
            "rates": {
                "earn_points_per_unit": earn,
                "issue_price_per_point": "0.05",
                "redeem_price_per_point": "0.08",
            }
        }
        if effective_from:
            body["effective_from"] = effective_from
        return api.admin.patch("/v1/partners/fuelco", json=body)

    assert change("4", "2026-03-05").status_code == 200
    replaced = change("5", "2026-03-05")

    assert replaced.status_code == 200, replaced.text
    assert [r["earn_points_per_unit"] for r in replaced.json()["schedule"]] == ["2", "5"]
    assert replaced.json()["rates"]["earn_points_per_unit"] == "2"
    assert_problem(change("3", None), 409, "partner-rates-conflict")  # created this instant
    clock.advance(timedelta(hours=1))
    now = change("3", None)
    assert [r["earn_points_per_unit"] for r in now.json()["schedule"]] == ["2", "3", "5"]
    assert now.json()["rates"]["earn_points_per_unit"] == "3"
    assert_problem(change("6", None), 409, "partner-rates-conflict")  # the same instant
    clock.advance(timedelta(days=3, hours=10, minutes=59))  # 2026-03-04T23:59: not yet
    assert api.admin.get("/v1/partners/fuelco").json()["rates"]["earn_points_per_unit"] == "3"
    clock.advance(timedelta(minutes=1))
    assert api.admin.get("/v1/partners/fuelco").json()["rates"]["earn_points_per_unit"] == "5"
    assert_problem(change("7", "2026-03-05"), 422, "invalid-input")


def test_days_are_the_programmes_time_zone(api: Api, clock: FakeClock) -> None:
    applied = api.admin.put("/v1/programme", json={"currency": "PLN", "timezone": "Europe/Warsaw"})
    assert applied.status_code == 201, applied.text
    fuel = add_partner(api, "fuelco", earn="1", issue="0.10")
    member = enrol(api.admin, email="tz@example.pl")["member_id"]
    tomorrow = api.admin.patch(
        "/v1/partners/fuelco",
        json={
            "rates": {
                "earn_points_per_unit": "1",
                "issue_price_per_point": "0.20",
                "redeem_price_per_point": "0",
            },
            "effective_from": "2026-03-02",
        },
    )
    assert tomorrow.json()["schedule"][1]["effective_from"] == "2026-03-01T23:00:00Z"
    _sale(fuel, member, "5.00")  # 12:00 UTC, 13:00 in Warsaw: 1 March
    clock.advance(timedelta(hours=11, minutes=30))  # 23:30 UTC, 00:30 in Warsaw: 2 March
    _sale(fuel, member, "5.00")

    first = _settlement(fuel, "/v1/partner/settlement", DAY, DAY)
    second = _settlement(fuel, "/v1/partner/settlement", "2026-03-02", "2026-03-02")

    assert (first["points_issued"], first["owed_by_partner"]) == (10, "1.00")
    assert (second["points_issued"], second["owed_by_partner"]) == (10, "2.00")


def test_a_receipt_the_programmes_own_till_recorded_under_a_partners_store_is_not_the_partners(
    api: Api,
) -> None:
    fuel = add_partner(api, "fuelco")
    member = enrol(api.admin, email="sp@example.pl")["member_id"]
    body = purchase_body(member, [("A", 1, "10.00")], receipt="X-1")
    spoofed = api.pos.post("/v1/purchases", json={**body, "store_id": "partner:fuelco/st-9"})
    assert spoofed.status_code == 201, spoofed.text

    resent = fuel.post("/v1/partner/purchases", json={**body, "store_id": "st-9"})

    assert_problem(resent, 409, "receipt-conflict")
    assert fuel.get("/v1/partner/transactions").json()["items"] == []
    assert _settlement(fuel, "/v1/partner/settlement")["points_issued"] == 0
