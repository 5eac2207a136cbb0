"""GET /v1/analytics/... over real HTTP, on the hand-built history (values in test_kpis.py)."""

from __future__ import annotations

import pytest

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from tests.analytics.joiners import ANN, BOB, CAT, DAN, EVE, HAL, build_joiners
from tests.analytics.support import START, build_shop, sale
from tests.api.helpers import assert_problem
from tests.conftest import Api
from tests.support.clock import FakeClock

FEBRUARY = {"from": "2026-02-01", "to": "2026-02-28"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_the_kpis_of_february(api: Api) -> None:
    build_shop(api.container)
    response = api.admin.get("/v1/analytics/kpis", params=FEBRUARY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == {
        "from": "2026-02-01",
        "to": "2026-02-28",
        "days": 28,
        "previous_from": "2026-01-04",
        "previous_to": "2026-01-31",
    }
    assert body["freshness"]["data_as_of"].startswith("2026-03-01T10:00:00")
    expected = {
        "currency": "PLN",
        "members_total": 5,
        "members_new": 1,
        "active_members": 3,
        "active_members_previous": 2,
        "active_growth": "0.5000",
        "retained_members": 1,
        "retention_rate": "0.5000",
        "repeat_members": 1,
        "repeat_purchase_rate": "0.3333",
        "orders": 4,
        "purchase_frequency": "1.3333",
        "revenue": "155.00",
        "average_order_value": "38.75",
        "revenue_per_member": "31.00",
        "engaged_members": 4,
        "engagement_rate": "0.8000",
        "returns": 1,
        "returns_value": "40.00",
        "net_revenue": "115.00",
    }
    assert {key: body[key] for key in expected} == expected


def test_filters_points_and_members_against_non_members(api: Api) -> None:
    build_shop(api.container)
    web = api.admin.get("/v1/analytics/kpis", params={**FEBRUARY, "channel": "web"}).json()
    assert (web["filters"]["channel"], web["orders"], web["revenue"]) == ("web", 2, "90.00")
    points = api.admin.get("/v1/analytics/points", params=FEBRUARY).json()
    assert [points[k] for k in ("issued", "taken_back", "redeemed", "expired", "adjusted")] == [
        205,
        40,
        30,
        0,
        5,
    ]
    assert (points["outstanding"], points["redemption_rate"]) == (290, "0.2500")
    sides = api.admin.get("/v1/analytics/members-vs-non-members", params=FEBRUARY).json()
    assert sides["members"] == {
        "orders": 4,
        "revenue": "155.00",
        "average_order_value": "38.75",
        "purchase_frequency": "1.3333",
    }
    assert sides["non_members"] == {
        "orders": 0,
        "revenue": "0.00",
        "average_order_value": None,
        "purchase_frequency": None,
    }


def test_roi_without_costs_configured(api: Api) -> None:
    build_shop(api.container)
    body = api.admin.get("/v1/analytics/roi", params=FEBRUARY).json()
    assert body["programme"]["cost"] == "3.00"  # only the 30 points redeemed
    assert (body["programme"]["method"], body["programme"]["roi"]) == (None, None)
    assert body["programme"]["method_reason"].startswith("no estimate: matched-baseline not used")
    assert body["programme"]["matched_baseline"]["joiners"] == 1  # D, without history before
    rules = {c["rule_id"]: c for c in body["campaigns"]}
    assert (rules["base-rate"]["revenue"], rules["base-rate"]["roi"]) == ("155.00", "9.0000")


def test_refresh_false_reads_the_store_as_it_is(api: Api) -> None:
    shop = build_shop(api.container)
    api.admin.get("/v1/analytics/kpis", params=FEBRUARY)
    sale(api.container, shop.b, 700, "pos", "s1", "F9")  # dated 1 March, the clock's day
    march = {"from": "2026-03-01", "to": "2026-03-31"}
    stale = api.admin.get("/v1/analytics/kpis", params={**march, "refresh": "false"}).json()
    assert stale["orders"] == 1
    fresh = api.admin.get("/v1/analytics/kpis", params=march).json()
    assert fresh["orders"] == 2
    assert ParquetWarehouse(api.container.settings.data_dir / "analytics").state().rows


def test_only_admin_reads_analytics_and_bad_queries_are_problems(api: Api) -> None:
    assert_problem(api.pos.get("/v1/analytics/kpis", params=FEBRUARY), 403, "forbidden")
    backwards = {"from": "2026-02-28", "to": "2026-02-01"}
    assert_problem(
        api.admin.get("/v1/analytics/points", params=backwards), 422, "invalid-analytics-query"
    )
    quoted = {**FEBRUARY, "store": "s1' OR '1'='1"}
    assert_problem(
        api.admin.get("/v1/analytics/roi", params=quoted), 422, "invalid-analytics-query"
    )


MARCH = {"from": "2026-03-01", "to": "2026-03-31", "window_days": 28}


def test_spend_around_joining_paged_with_totals(api: Api) -> None:
    """The values of tests/analytics/test_spend_around_joining.py (28 days), over HTTP."""
    members = build_joiners(api.container, [ANN, BOB, DAN, EVE, HAL])
    names = {member.member_id: name for name, member in members.items()}
    first = api.admin.get("/v1/analytics/spend-around-joining", params={**MARCH, "limit": 3})
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["currency"], body["window_days"]) == ("PLN", 28)
    assert body["totals"] == {
        "members": 4,
        "with_orders_before": 2,
        "complete_windows": 4,
        "orders_before": 4,
        "spend_before": "660.00",
        "orders_after": 4,
        "spend_after": "300.00",
    }
    assert len(body["items"]) == 3
    assert body["next_after"] == body["items"][-1]["member_id"]
    rest = api.admin.get(
        "/v1/analytics/spend-around-joining",
        params={**MARCH, "limit": 3, "after": body["next_after"]},
    ).json()
    assert rest["next_after"] is None
    assert rest["totals"] == body["totals"]
    items = {names[i["member_id"]]: i for i in body["items"] + rest["items"]}
    assert sorted(items) == ["ann", "dan", "eve", "hal"]
    assert items["ann"] == {
        "member_id": members["ann"].member_id,
        "joined_at": "2026-03-04T10:00:00Z",
        "orders_before": 2,
        "spend_before": "600.00",
        "orders_after": 2,
        "spend_after": "150.00",
        "window_complete": True,
    }


def test_roi_with_the_matched_baseline(api: Api) -> None:
    """ann, bob, cat and dan: the second case of tests/analytics/test_matched_baseline.py;
    without costs, the cost is nothing and the ROI has no denominator."""
    build_joiners(api.container, [ANN, BOB, CAT, DAN])
    body = api.admin.get("/v1/analytics/roi", params=MARCH).json()
    programme = body["programme"]
    assert (programme["attributable_revenue"], programme["method"]) == ("65.00", "matched-baseline")
    assert programme["method_reason"] == (
        "1 of the 2 members who joined in the period compared over 28 days before and after "
        "their joining week with 2 members who had not joined yet, in the same bands of "
        "spending before; 1 joined too recently for a whole window after"
    )
    assert (programme["cost"], programme["roi"]) == ("0.00", None)
    matched = programme["matched_baseline"]
    assert matched == {
        "method": "matched-baseline",
        "window_days": 28,
        "observed_until": "2026-05-01T10:00:00Z",
        "joiners": 2,
        "joiners_matched": 1,
        "joiners_unmatched": 0,
        "joiners_without_history": 0,
        "joiners_too_recent": 1,
        "controls": 2,
        "joiners_change": "50.00",
        "predicted_change": "-15.00",
        "lift": "65.00",
        "reason": programme["method_reason"],
    }


def test_a_window_out_of_range_is_a_problem(api: Api) -> None:
    for path in ("/v1/analytics/spend-around-joining", "/v1/analytics/roi"):
        refused = api.admin.get(path, params={**MARCH, "window_days": 0})
        assert_problem(refused, 422, "invalid-analytics-query")
    assert_problem(
        api.pos.get("/v1/analytics/spend-around-joining", params=MARCH), 403, "forbidden"
    )
