"""Paid memberships through the API, on SQLite and PostgreSQL: activation, renewal,
cancellation, lapse, idempotency, history, and the benefits exactly while active."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from tests.api.helpers import assert_problem, enrol
from tests.api.test_rules_at_the_till import apply
from tests.conftest import Api
from tests.memberships.support import CLUB, PROGRAMME, basket_body, memberships, paid, pay, payment
from tests.support.clock import FakeClock

# The test clock starts on 2026-03-01 13:00 in Warsaw: a club card paid now runs
# 1 March - 1 April (exclusive), its 3 days of grace to 4 April (exclusive).
LAST_DAY = "2026-04-03T23:30:00+02:00"  # the last minute of benefits, local time
LAPSED = "2026-04-04T00:30:00+02:00"  # an hour later, the next local day: none


def _member(api: Api) -> str:
    apply(api.admin, PROGRAMME)
    member_id: str = enrol(api.admin, email="club@example.pl")["member_id"]
    return member_id


def _buy(api: Api, member_id: str, at: str, receipt: str) -> dict[str, Any]:
    response = api.pos.post("/v1/purchases", json=basket_body(member_id, at, receipt))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _set_clock(clock: FakeClock, moment: str) -> None:
    clock.advance(datetime.fromisoformat(moment).astimezone(UTC) - clock.now())


def test_an_activation_starts_a_month_from_the_day_paid(api: Api) -> None:
    member_id = _member(api)

    body = paid(api.pos, member_id, payment(reference="PAY-1"))

    assert body["change"] == "activated"
    assert body["replayed"] is False
    membership = body["membership"]
    assert membership["plan"] == "club"
    assert membership["status"] == "active"
    assert membership["gives_benefits"] is True
    assert membership["in_grace"] is False
    assert membership["current_period"] == {"starts_on": "2026-03-01", "ends_on": "2026-04-01"}
    assert membership["benefits_until"] == "2026-04-04"
    assert membership["periods_paid"] == 1
    assert body["event"]["amount"] == "19.00"
    assert body["event"]["payment_reference"] == "PAY-1"


def test_benefits_apply_the_day_before_the_lapse_and_not_the_day_after(
    api: Api, clock: FakeClock
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())

    _set_clock(clock, LAST_DAY)
    member = _buy(api, member_id, LAST_DAY, "R-LAST")
    _set_clock(clock, LAPSED)
    plain = _buy(api, member_id, LAPSED, "R-AFTER")

    assert member["to_pay"] == "57.00"
    assert sorted((d["rule_id"], d["source"], d["amount"]) for d in member["discounts"]) == [
        ("membership:club", "membership", "1.00"),
        ("membership:club", "membership", "15.00"),
        ("membership:club", "membership", "6.00"),
    ]
    assert member["points_earned"] == 57 * 2  # the base rate on 57.00, doubled
    assert plain["to_pay"] == "79.00"
    assert plain["discounts"] == []
    assert plain["points_earned"] == 79
    assert memberships(api.admin, member_id)["memberships"][0]["status"] == "lapsed"


def test_the_quote_gives_what_the_purchase_gets(api: Api, clock: FakeClock) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    body = basket_body(member_id, "2026-03-10T10:00:00+01:00", "Q-1")
    _set_clock(clock, "2026-03-10T10:00:00+01:00")

    quote = api.pos.post("/v1/checkout/quote", json=body).json()
    sale = api.pos.post("/v1/purchases", json=body).json()

    assert (quote["to_pay"], quote["points_to_earn"]) == ("57.00", 114)
    assert (sale["to_pay"], sale["points_earned"]) == ("57.00", 114)


def test_an_early_renewal_extends_from_the_end_of_the_paid_period(
    api: Api, clock: FakeClock
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    _set_clock(clock, "2026-03-20T10:00:00+01:00")

    body = paid(api.pos, member_id, payment(paid_at="2026-03-20T09:00:00Z"))

    assert body["change"] == "renewed"
    membership = body["membership"]
    assert membership["current_period"] == {"starts_on": "2026-04-01", "ends_on": "2026-05-01"}
    assert membership["benefits_until"] == "2026-05-04"
    assert membership["member_since"] == "2026-03-01"
    assert membership["periods_paid"] == 2


def test_a_renewal_in_the_grace_keeps_the_periods_back_to_back(api: Api, clock: FakeClock) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    _set_clock(clock, "2026-04-02T10:00:00+02:00")
    assert memberships(api.admin, member_id)["active"]["in_grace"] is True

    body = paid(api.pos, member_id, payment(paid_at="2026-04-02T08:00:00Z"))

    assert body["membership"]["current_period"] == {
        "starts_on": "2026-04-01",
        "ends_on": "2026-05-01",
    }
    assert body["membership"]["in_grace"] is False


def test_a_payment_after_the_lapse_starts_a_new_run_from_that_day(
    api: Api, clock: FakeClock
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    _set_clock(clock, "2026-04-10T10:00:00+02:00")

    body = paid(api.pos, member_id, payment(paid_at="2026-04-10T08:00:00Z"))

    assert body["change"] == "activated"
    assert body["membership"]["current_period"] == {
        "starts_on": "2026-04-10",
        "ends_on": "2026-05-10",
    }
    assert body["membership"]["member_since"] == "2026-04-10"
    history = memberships(api.admin, member_id)["history"]
    assert [(e["change"], e["effective_on"]) for e in history] == [
        ("activated", "2026-03-01"),
        ("lapsed", "2026-04-04"),  # recorded by the payment, dated when the grace ended
        ("activated", "2026-04-10"),
    ]


def test_the_same_idempotency_key_replays_and_pays_nothing_twice(api: Api) -> None:
    member_id = _member(api)
    body = payment(reference="PAY-KEY")

    first = pay(api.pos, member_id, body, **{"Idempotency-Key": "k-1"})
    again = pay(api.pos, member_id, body, **{"Idempotency-Key": "k-1"})

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(memberships(api.admin, member_id)["history"]) == 1


def test_the_same_payment_reference_answers_with_the_original_payment(api: Api) -> None:
    member_id = _member(api)
    body = payment(reference="PAY-REF")
    first = paid(api.pos, member_id, body)

    again = pay(api.pos, member_id, body)

    assert again.status_code == 200, again.text
    assert again.json()["replayed"] is True
    assert again.json()["event"] == first["event"]
    view = memberships(api.admin, member_id)
    assert len(view["history"]) == 1
    assert view["active"]["periods_paid"] == 1


@pytest.mark.parametrize(
    "change",
    [{"amount": "38.00"}, {"paid_at": "2026-03-01T11:00:00Z"}, {"plan": "premium"}],
)
def test_a_payment_reference_with_other_content_is_refused(
    api: Api, change: dict[str, str]
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment(reference="PAY-SAME"))

    response = pay(api.pos, member_id, {**payment(reference="PAY-SAME"), **change})

    assert_problem(response, 409, "payment-reference-conflict")
    assert len(memberships(api.admin, member_id)["history"]) == 1


def test_another_members_payment_reference_is_refused(api: Api) -> None:
    member_id = _member(api)
    other = enrol(api.admin, email="other@example.pl")["member_id"]
    paid(api.pos, member_id, payment(reference="PAY-ONE"))

    response = pay(api.pos, other, payment(reference="PAY-ONE"))

    assert_problem(response, 409, "payment-reference-conflict")
    assert memberships(api.admin, other)["memberships"] == []


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        (payment(amount="18.99"), 422, "membership-fee-mismatch"),
        (payment(plan="gold-club"), 404, "membership-plan-not-found"),
        ({**payment(), "currency": "EUR"}, 422, "currency-mismatch"),
        (payment(paid_at="2026-03-02T12:00:00Z"), 422, "invalid-input"),  # in the future
    ],
)
def test_a_payment_that_does_not_fit_the_plan_is_refused(
    api: Api, body: dict[str, Any], status: int, slug: str
) -> None:
    member_id = _member(api)

    assert_problem(pay(api.pos, member_id, body), status, slug)
    assert memberships(api.admin, member_id)["history"] == []


def test_a_second_plan_is_refused_while_the_first_gives_benefits(api: Api) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())

    response = pay(api.pos, member_id, payment(plan="premium", amount="199.00"))

    assert_problem(response, 409, "membership-conflict")


def test_a_cancelled_plan_lasts_to_the_end_of_the_paid_period_without_grace(
    api: Api, clock: FakeClock
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())

    response = api.pos.post(f"/v1/members/id:{member_id}/memberships/club/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["membership"]["status"] == "cancelled"
    assert response.json()["membership"]["benefits_until"] == "2026-04-01"

    _set_clock(clock, "2026-03-31T20:00:00+02:00")
    assert _buy(api, member_id, "2026-03-31T20:00:00+02:00", "R-1")["to_pay"] == "57.00"
    _set_clock(clock, "2026-04-01T08:00:00+02:00")
    assert _buy(api, member_id, "2026-04-01T08:00:00+02:00", "R-2")["to_pay"] == "79.00"
    again = api.pos.post(f"/v1/members/id:{member_id}/memberships/club/cancel")
    assert_problem(again, 409, "membership-not-active")


def test_a_cancelled_plan_renewed_before_its_end_runs_on(api: Api, clock: FakeClock) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    api.pos.post(f"/v1/members/id:{member_id}/memberships/club/cancel")
    _set_clock(clock, "2026-03-15T10:00:00+01:00")

    body = paid(api.pos, member_id, payment(paid_at="2026-03-15T09:00:00Z"))

    assert body["change"] == "renewed"
    assert body["membership"]["status"] == "active"
    assert body["membership"]["benefits_until"] == "2026-05-04"


def test_cancelling_a_plan_never_held_is_not_found(api: Api) -> None:
    member_id = _member(api)

    response = api.pos.post(f"/v1/members/id:{member_id}/memberships/club/cancel")

    assert_problem(response, 404, "membership-not-found")


def test_the_lapse_job_records_the_lapse_once(api: Api, clock: FakeClock) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    _set_clock(clock, "2026-04-05T03:00:00+02:00")

    first = run_due(api.container.ctx)
    second = run_due(api.container.ctx)

    assert (first.memberships_lapsed, second.memberships_lapsed) == (1, 0)
    view = memberships(api.admin, member_id)
    assert view["active"] is None
    assert view["memberships"][0]["status"] == "lapsed"
    assert [(e["change"], e["effective_on"]) for e in view["history"]] == [
        ("activated", "2026-03-01"),
        ("lapsed", "2026-04-04"),
    ]


def test_a_member_reads_their_own_memberships_and_may_not_pay(api: Api) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    token = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={}).json()["token"]

    with api.as_member(token) as app:
        mine = app.get("/v1/me/memberships")
        refused = pay(app, member_id, payment())

    assert mine.status_code == 200, mine.text
    assert mine.json()["active"]["plan"] == "club"
    assert mine.json()["active"]["benefits"]["member_prices"] == {"CAPPUCCINO": "9.00"}
    assert_problem(refused, 403, "forbidden")


def test_a_member_cancels_their_own_plan_from_the_app_and_no_one_elses(api: Api) -> None:
    member_id = _member(api)
    other_id: str = enrol(api.admin, email="other@example.pl")["member_id"]
    paid(api.pos, member_id, payment())
    paid(api.pos, other_id, payment(reference="PAY-OTHER"))
    token = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={}).json()["token"]

    with api.as_member(token) as app:
        someone_else = app.post(f"/v1/members/id:{other_id}/memberships/club/cancel")
        mine = app.post("/v1/me/memberships/club/cancel")

    assert_problem(someone_else, 403, "forbidden")
    assert mine.status_code == 200, mine.text
    assert mine.json()["membership"]["status"] == "cancelled"
    assert memberships(api.pos, other_id)["active"]["status"] == "active"
    history = memberships(api.pos, member_id)["history"]
    assert history[-1]["actor"] == f"member:{member_id}"


def test_points_of_membership_purchases_keep_the_ledger_sound(api: Api, clock: FakeClock) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    sale = _buy(api, member_id, "2026-03-01T13:30:00+01:00", "R-V")
    returned = api.pos.post(f"/v1/purchases/{sale['purchase_id']}/returns", json={})
    assert returned.status_code == 201, returned.text
    assert returned.json()["points_taken"] == 114
    clock.advance(timedelta(minutes=1))

    report = verify_ledger(api.container.ctx)

    assert report.ok, report


def test_a_plan_dropped_from_the_programme_gives_and_blocks_nothing(
    api: Api, clock: FakeClock
) -> None:
    member_id = _member(api)
    paid(api.pos, member_id, payment())
    apply(api.admin, {**PROGRAMME, "memberships": [PROGRAMME["memberships"][1]]})

    sale = _buy(api, member_id, "2026-03-01T13:30:00+01:00", "R-DROP")
    premium = pay(api.pos, member_id, payment(plan="premium", amount="199.00"))

    assert (sale["to_pay"], sale["points_earned"]) == ("79.00", 79)
    assert premium.status_code == 201, premium.text
    view = memberships(api.admin, member_id)
    assert view["active"]["plan"] == "premium"
    club = next(m for m in view["memberships"] if m["plan"] == "club")
    assert (club["name"], club["benefits"]) == (None, None)


def test_the_fee_and_member_prices_read_as_money_however_the_document_wrote_them(
    api: Api,
) -> None:
    club = {**CLUB, "fee": 19, "benefits": {**CLUB["benefits"], "member_prices": {"A": 9.5}}}
    apply(api.admin, {**PROGRAMME, "memberships": [club]})
    member_id = enrol(api.admin, email="money@example.pl")["member_id"]

    body = paid(api.pos, member_id, payment())

    assert body["membership"]["fee"] == "19.00"
    assert body["membership"]["benefits"]["member_prices"] == {"A": "9.50"}
