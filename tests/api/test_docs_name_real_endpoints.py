"""Every API call the guides and the README show exists, with that method.

A guide is what an integrator copies at the till: a call that was renamed or never
existed costs them an afternoon. docs/openapi.json is the served spec (test_docs.py
checks that), so the calls are matched against it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
DOCUMENTS = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docs").glob("guide/*.md")]
)
# A method, then a path under /v1 up to a space, a backquote, a bracket or the end of a sentence.
CALL = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE) +(/v1/[^\s`)\]|,;]*)")
ELIDED = ("...", "…/", "*")  # "GET /v1/analytics/..." stands for a family, not one call


def served() -> dict[str, set[str]]:
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text())
    return {path: {method.upper() for method in item} for path, item in spec["paths"].items()}


def shown() -> list[tuple[str, str, str]]:
    """(document, method, path) of every call the documents show, the query string cut."""
    calls = []
    for document in DOCUMENTS:
        if document.name == "API.md":  # generated from the spec itself
            continue
        for method, raw in CALL.findall(document.read_text()):
            path = raw.split("?")[0].rstrip(".:")
            if not any(mark in raw for mark in ELIDED) and not path.endswith("{its"):
                calls.append((document.relative_to(ROOT).as_posix(), method, path))
    return calls


def matches(template: str, path: str) -> bool:
    """A segment of the spec's ``{name}`` takes any value or placeholder; ``card.{fmt}``
    takes ``card.svg``; the rest must be equal."""
    wanted, given = template.strip("/").split("/"), path.strip("/").split("/")
    if len(wanted) != len(given):
        return False
    for segment, value in zip(wanted, given, strict=True):
        pattern = re.escape(segment).replace(r"\{", "{").replace(r"\}", "}")
        pattern = re.sub(r"\{[^}]+\}", r"[^/]+", pattern)
        if not re.fullmatch(pattern, value):
            return False
    return True


def test_the_documents_show_calls_at_all() -> None:
    documents = {document for document, _, _ in shown()}
    assert len(shown()) > 100
    assert {"docs/guide/catalogue.md", "docs/guide/partners.md", "README.md"} <= documents


@pytest.mark.parametrize(("document", "method", "path"), shown())
def test_a_call_in_the_documents_is_served(document: str, method: str, path: str) -> None:
    routes = served()
    templates = [template for template in routes if matches(template, path)]
    assert templates, f"{document}: {method} {path} is no route of the API"
    assert any(method in routes[template] for template in templates), (
        f"{document}: {path} is served, but not to {method}"
    )


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/v1/members/{member}/balance", "/v1/members/{id}/balance", True),
        ("/v1/members/{member}/balance", "/v1/members/ext:shop-000001/balance", True),
        ("/v1/members/{member}/card.{fmt}", "/v1/members/{identifier}/card.svg", True),
        ("/v1/members/{member}/balance", "/v1/members/{id}/ledger", False),
        ("/v1/members/{member}", "/v1/members/{id}/balance", False),
        ("/v1/rewards", "/v1/reward", False),
    ],
)
def test_a_template_takes_what_fills_its_placeholders(
    template: str, path: str, expected: bool
) -> None:
    assert matches(template, path) is expected
