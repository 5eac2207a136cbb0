"""The programme over HTTP: read it, apply YAML or JSON, list, compare; errors with lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from loyalo.application.programmes import checksum
from tests.api.helpers import assert_problem
from tests.conftest import Api

EXAMPLE_TEXT = (Path(__file__).parents[2] / "programmes" / "example.yaml").read_text()
EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE_TEXT)
YAML = {"Content-Type": "application/yaml"}


def put_yaml(api: Api, text: str, **params: str) -> Any:
    return api.admin.put("/v1/programme", content=text.encode(), headers=YAML, params=params)


def test_before_any_version_the_settings_are_in_force(api: Api) -> None:
    response = api.pos.get("/v1/programme")
    assert response.status_code == 200, response.text
    body = response.json()
    default = api.container.settings.default_programme()
    assert body["version"] == 0
    assert body["document"] == default.model_dump(mode="json", by_alias=True)
    assert body["checksum"] == checksum(default)
    assert (body["created_at"], body["created_by"], body["changed"]) == (None, None, None)
    assert api.admin.get("/v1/programme/versions").json() == []


def test_apply_yaml_then_the_same_again_then_json(api: Api) -> None:
    first = put_yaml(api, EXAMPLE_TEXT, note="launch")
    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["version"], body["changed"], body["rules"]) == (1, True, 3)
    assert body["note"] == "launch"
    assert body["created_by"].startswith("apikey:")
    assert body["document"]["name"] == "Example café & shop"

    same = put_yaml(api, EXAMPLE_TEXT)
    assert same.status_code == 200, same.text
    assert (same.json()["version"], same.json()["changed"]) == (1, False)
    as_json = api.admin.put("/v1/programme", json=EXAMPLE)  # the same document, as JSON
    assert (as_json.status_code, as_json.json()["version"]) == (200, 1)

    changed = {**EXAMPLE, "pending_days": 30}
    second = api.admin.put("/v1/programme", json=changed)
    assert second.status_code == 201, second.text
    assert second.json()["version"] == 2

    current = api.pos.get("/v1/programme").json()
    assert (current["version"], current["document"]["pending_days"]) == (2, 30)
    versions = api.pos.get("/v1/programme/versions").json()
    assert [(v["version"], v["note"], v["rules"]) for v in versions] == [
        (2, None, 3),
        (1, "launch", 3),
    ]
    one = api.pos.get("/v1/programme/versions/1").json()
    assert one["document"]["pending_days"] == 14
    assert one["checksum"] == versions[1]["checksum"]


def test_diff_between_versions(api: Api) -> None:
    put_yaml(api, EXAMPLE_TEXT)
    put_yaml(api, EXAMPLE_TEXT.replace("goal: 9", "goal: 10"))
    response = api.pos.get("/v1/programme/diff", params={"from": 1, "to": 2})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "from_version": 1,
        "to_version": 2,
        "changes": [
            {
                "path": "rules[coffee-stamps].effect.goal",
                "kind": "changed",
                "before": 9,
                "after": 10,
            }
        ],
        "lines": ["~ rules[coffee-stamps].effect.goal: 9 -> 10"],
    }
    back = api.pos.get("/v1/programme/diff", params={"from": 2, "to": 2}).json()
    assert (back["changes"], back["lines"]) == ([], ["(no changes)"])


def test_an_invalid_yaml_document_is_refused_with_lines(api: Api) -> None:
    broken = EXAMPLE_TEXT.replace("goal: 9", "goal: 0").replace("currency: PLN", "currency: XYZ")
    response = put_yaml(api, broken)
    body = assert_problem(response, 422, "invalid-programme")
    lines = broken.splitlines()
    assert body["errors"] == [
        {
            "path": "currency",
            "message": "unknown currency 'XYZ'",
            "line": lines.index("currency: XYZ") + 1,
            "column": 11,
        },
        {
            "path": "rules[0].effect.goal",
            "message": "Input should be greater than or equal to 1",
            "line": next(n for n, line in enumerate(lines, 1) if "goal: 0" in line),
            "column": 48,
        },
    ]
    assert api.admin.get("/v1/programme/versions").json() == []


def test_a_yaml_syntax_error_and_a_bad_json_body(api: Api) -> None:
    syntax = assert_problem(
        put_yaml(api, "tiers:\n  levels:\n - id: a\n"), 422, "invalid-programme"
    )
    assert [(e["line"], e["column"]) for e in syntax["errors"]] == [(3, 2)]
    json_body = api.admin.put(
        "/v1/programme", json={"rules": [{"id": "a", "name": "A", "effect": {"type": "nope"}}]}
    )
    errors = assert_problem(json_body, 422, "invalid-programme")["errors"]
    assert [e["path"] for e in errors] == ["rules[0].effect"]
    assert errors[0]["line"] == 1  # json= sends one line


def test_a_condition_that_does_not_compile_is_refused(api: Api) -> None:
    broken = EXAMPLE_TEXT.replace('lines: line.category == "coffee"', "lines: line.category ==", 1)
    errors = assert_problem(put_yaml(api, broken), 422, "invalid-programme")["errors"]
    assert [e["path"] for e in errors] == ["rules[0].lines"]


def test_only_admin_writes_and_app_keys_read_nothing(api: Api) -> None:
    assert_problem(
        api.pos.put("/v1/programme", content=EXAMPLE_TEXT.encode(), headers=YAML), 403, "forbidden"
    )
    with api.as_member("no-token") as member:
        assert member.get("/v1/programme").status_code in (401, 403)
    anonymous = api.anonymous().get("/v1/programme/versions")
    assert_problem(anonymous, 401, "unauthenticated")


def test_unknown_version(api: Api) -> None:
    assert_problem(api.pos.get("/v1/programme/versions/4"), 404, "programme-version-not-found")
    assert_problem(
        api.pos.get("/v1/programme/diff", params={"from": 0, "to": 4}),
        404,
        "programme-version-not-found",
    )


def test_idempotency_key_replays_and_refuses_another_body(api: Api) -> None:
    headers = {**YAML, "Idempotency-Key": "programme-1"}
    first = api.admin.put("/v1/programme", content=EXAMPLE_TEXT.encode(), headers=headers)
    assert first.status_code == 201, first.text
    replay = api.admin.put("/v1/programme", content=EXAMPLE_TEXT.encode(), headers=headers)
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()

    other = EXAMPLE_TEXT.replace("goal: 9", "goal: 10").encode()
    reused = api.admin.put("/v1/programme", content=other, headers=headers)
    assert_problem(reused, 409, "idempotency-key-reused")
    assert len(api.admin.get("/v1/programme/versions").json()) == 1
