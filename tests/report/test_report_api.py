"""GET /v1/analytics/cohorts, /rfm and /rfm/members over real HTTP, on the small history of
test_cohorts_and_rfm.py (the same values, as the API writes them)."""

from __future__ import annotations

import pytest

from tests.api.helpers import assert_problem
from tests.conftest import Api
from tests.report.support import buy_history
from tests.support.clock import FakeClock

QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def members(api: Api, clock: FakeClock) -> dict[str, str]:
    return buy_history(api.container, clock)


def test_cohorts(api: Api, members: dict[str, str]) -> None:
    response = api.admin.get("/v1/analytics/cohorts", params=QUARTER)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["currency"] == "PLN"
    assert body["period"]["from"] == "2026-01-01"
    assert body["freshness"]["data_as_of"] is not None
    names = ("cohort_month", "months_since", "members", "active_members", "retention", "revenue")
    rows = [tuple(c[name] for name in names) for c in body["cohorts"]]
    assert rows == [
        ("2026-01-01", 0, 2, 2, "1.0000", "60.00"),
        ("2026-01-01", 1, 2, 1, "0.5000", "15.00"),
        ("2026-01-01", 2, 2, 1, "0.5000", "40.00"),
        ("2026-02-01", 0, 1, 1, "1.0000", "200.00"),
        ("2026-02-01", 1, 1, 0, "0.0000", "0.00"),
        ("2026-03-01", 0, 1, 1, "1.0000", "5.00"),
    ]


def test_rfm_segments_and_members(api: Api, members: dict[str, str]) -> None:
    body = api.admin.get("/v1/analytics/rfm", params=QUARTER).json()

    assert body["as_of"] == "2026-03-31"
    assert body["members_scored"] == 5
    segments = {s["segment"]: (s["members"], s["revenue"]) for s in body["segments"]}
    assert len(segments) == 11
    assert segments["loyal"] == (1, "90.00")
    assert segments["new"] == (1, "5.00")
    assert segments["champions"] == (0, "0.00")

    loyal = api.admin.get("/v1/analytics/rfm/members", params={**QUARTER, "segment": "loyal"})
    assert loyal.json()["items"] == [
        {
            "member_id": members["bob"],
            "last_purchase": "2026-03-02",
            "recency_days": 29,
            "frequency": 3,
            "monetary": "90.00",
            "r": 4,
            "f": 5,
            "m": 4,
            "segment": "loyal",
        }
    ]


def test_rfm_members_page_by_member_id(api: Api, members: dict[str, str]) -> None:
    scored = sorted(members[name] for name in ("ann", "bob", "cat", "dan", "eve"))
    seen: list[str] = []
    after: str | None = None
    while True:
        params = {**QUARTER, "limit": "2"} | ({"after": after} if after else {})
        page = api.admin.get("/v1/analytics/rfm/members", params=params).json()
        seen += [item["member_id"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
    assert seen == scored


def test_only_admin_and_bad_queries_are_problems(api: Api, members: dict[str, str]) -> None:
    assert_problem(api.pos.get("/v1/analytics/cohorts", params=QUARTER), 403, "forbidden")
    assert_problem(api.pos.get("/v1/analytics/rfm", params=QUARTER), 403, "forbidden")
    backwards = {"from": "2026-03-31", "to": "2026-01-01"}
    assert_problem(
        api.admin.get("/v1/analytics/cohorts", params=backwards), 422, "invalid-analytics-query"
    )
    quoted = {**QUARTER, "channel": "pos' OR '1'='1"}
    assert_problem(
        api.admin.get("/v1/analytics/rfm/members", params=quoted), 422, "invalid-analytics-query"
    )
