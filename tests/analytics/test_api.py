"""GET /v1/analytics/... over real HTTP, on the hand-built history (values in test_kpis.py)."""

from __future__ import annotations

import pytest

from loyalo.adapters.analytics.parquet import ParquetWarehouse
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
    assert body["programme"]["method"] == "aov-lift"
    assert body["programme"]["roi"] is None
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
