"""The API describes itself: OpenAPI 3.1, and docs that work without a network."""

from __future__ import annotations

import re

from tests.conftest import Api


def test_openapi_is_3_1_and_lists_the_core_paths(api: Api) -> None:
    spec = api.anonymous().get("/openapi.json").json()

    assert spec["openapi"].startswith("3.1")
    for path in (
        "/v1/purchases",
        "/v1/purchases/{purchase_id}/returns",
        "/v1/reservations",
        "/v1/reservations/{reservation_id}/commit",
        "/v1/reservations/{reservation_id}/release",
        "/v1/members/{member}/balance",
        "/v1/members/{member}/ledger",
        "/v1/members/{member}/adjustments",
    ):
        assert path in spec["paths"], path


def test_the_docs_page_loads_only_local_assets(api: Api) -> None:
    client = api.anonymous()
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert sources, page
        assert all(s.startswith("/") for s in sources), sources
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200, source
            assert len(asset.content) > 1000, source


def test_problem_types_dereference_to_a_description(api: Api) -> None:
    client = api.anonymous()
    described = client.get("/problems/insufficient-points").json()
    assert described["status"] == 409
    assert described["type"] == "/problems/insufficient-points"
    slugs = {p["type"] for p in client.get("/problems").json()}
    assert "/problems/idempotency-key-reused" in slugs


def test_the_committed_api_reference_matches_the_code(api: Api) -> None:
    """docs/openapi.json is what the server serves: regenerate with `make docs-api`."""
    import json
    from pathlib import Path

    committed = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
    served = api.anonymous().get("/openapi.json").json()
    assert committed == served, "docs/openapi.json is stale: run `make docs-api`"
