"""The CLV endpoints over real HTTP: the ranking, one member, who may read them, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from tests.api.helpers import assert_problem
from tests.conftest import Api
from tests.programme.support import apply, buy, enrol

START = datetime(2025, 6, 1, 10, tzinfo=UTC)  # 39 weeks before the clock


def _history(api: Api) -> dict[str, str]:
    """Six members: n buys n + 1 times, every n + 2 weeks, for 10.00 * (n + 1)."""
    apply(api.container, currency="PLN", earning={"points": 1})
    ids = {}
    for n in range(6):
        member = enrol(api.container, email=f"clv{n}@example.pl")
        ids[f"clv{n}"] = member.member_id
        for k in range(n + 1):
            buy(api.container, member, 10_00 * (n + 1), at=START + timedelta(weeks=k * (n + 2)))
    return ids


def test_the_ranking_gives_the_models_and_members_highest_clv_first(api: Api) -> None:
    ids = _history(api)

    response = api.admin.get("/v1/analytics/clv", params={"horizon_months": 12, "limit": 4})

    assert response.status_code == 200, response.text
    body = response.json()
    model = body["model"]
    assert model["currency"] == "PLN"
    assert model["as_of"] == "2026-03-01"
    assert (model["customers"], model["repeat_buyers"]) == (6, 5)
    assert (model["horizon_months"], model["monthly_discount"]) == (12, 0.01)
    assert set(model["purchases"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(model["spend"]) == {"p", "q", "gamma", "log_likelihood"}
    assert body["total"] == 6
    assert len(body["members"]) == 4
    values = [Decimal(m["clv"]) for m in body["members"]]
    assert values == sorted(values, reverse=True)
    top = body["members"][0]
    assert 0.0 <= top["probability_alive"] <= 1.0
    assert top["expected_spend"].count(".") == 1
    assert len(top["clv"].split(".")[1]) == 2

    rest = api.admin.get("/v1/analytics/clv", params={"limit": 4, "offset": 4}).json()
    everyone = [m["member_id"] for m in body["members"] + rest["members"]]
    assert sorted(everyone) == sorted(ids.values())


def test_one_members_clv_is_their_row_of_the_ranking(api: Api) -> None:
    ids = _history(api)
    ranking = api.admin.get("/v1/analytics/clv", params={"limit": 500}).json()
    row = next(m for m in ranking["members"] if m["member_id"] == ids["clv3"])

    response = api.admin.get("/v1/members/clv3@example.pl/clv")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scored"] is True
    assert body["member_id"] == ids["clv3"]
    assert body["clv"] == row
    assert row["repeat_purchases"] == 3
    assert body["model"] == ranking["model"]


def test_a_member_who_bought_nothing_has_no_clv_yet(api: Api) -> None:
    _history(api)
    idle = enrol(api.container, email="idle@example.pl")

    body = api.admin.get(f"/v1/members/id:{idle.member_id}/clv").json()

    assert (body["member_id"], body["scored"], body["clv"]) == (idle.member_id, False, None)


def test_only_admins_read_lifetime_values(api: Api) -> None:
    _history(api)
    assert_problem(api.pos.get("/v1/analytics/clv"), 403, "forbidden")
    assert_problem(api.pos.get("/v1/members/clv1@example.pl/clv"), 403, "forbidden")


def test_refusals_are_problems(api: Api) -> None:
    assert_problem(api.admin.get("/v1/analytics/clv"), 409, "model-not-estimable")
    _history(api)
    assert_problem(api.admin.get("/v1/members/nobody@example.pl/clv"), 404, "member-not-found")
    assert api.admin.get("/v1/analytics/clv", params={"discount": 1}).status_code == 422
    assert api.admin.get("/v1/analytics/clv", params={"horizon_months": 0}).status_code == 422
    kinds = {p["type"]: p["status"] for p in api.anonymous().get("/problems").json()}
    assert kinds["/problems/model-not-estimable"] == 409
