"""The readable diff of two programme documents: rules and tiers matched by id."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from loyalo.domain.programme.diff import Change, ChangeKind, diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument

EXAMPLE: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parents[2] / "programmes" / "example.yaml").read_text()
)

WEEKEND = {
    "id": "weekend-x2",
    "name": "Double points at weekends",
    "schedule": {"days": ["sat", "sun"]},
    "effect": {"type": "multiplier", "factor": 2},
}
PLATINUM = {"id": "platinum", "name": "Platinum", "threshold": 5000}

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value

    return edit


def _append(path: str, item: dict[str, Any]) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path.split("."):
            node = node[part]
        node.append(item)

    return edit


def _delete(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[int(last) if last.isdigit() else last]

    return edit


def _reverse(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path.split("."):
            node = node[part]
        node.reverse()

    return edit


CASES: list[tuple[str, list[Edit], list[str]]] = [
    ("nothing", [], ["(no changes)"]),
    (
        "a rule's effect",
        [_set("rules.0.effect.goal", 10)],
        ["~ rules[coffee-stamps].effect.goal: 9 -> 10"],
    ),
    (
        "a tier threshold",
        [_set("tiers.levels.1.threshold", 600)],
        ["~ tiers.levels[silver].threshold: 500 -> 600"],
    ),
    (
        "a rule added",
        [_append("rules", WEEKEND)],
        ["+ rule weekend-x2 (Double points at weekends)"],
    ),
    (
        "a rule removed",
        [_delete("rules.1")],
        ["- rule product-review (50 points for a product review)"],
    ),
    ("a tier added", [_append("tiers.levels", PLATINUM)], ["+ tier platinum"]),
    (
        "a tier removed, named differently from its id",
        [
            _delete("tiers.levels.2"),
            _append("tiers.levels", {**PLATINUM, "name": "VIP"}),
            _set("rewards.5.eligibility.tiers", ["platinum"]),  # the Gold-only reward follows
        ],
        [
            "- tier gold",
            "+ tier platinum (VIP)",
            '~ rewards[gold-tasting-evening].eligibility.tiers: ["gold"] -> ["platinum"]',
        ],
    ),
    ("rules reordered: not a change", [_reverse("rules")], ["(no changes)"]),
    (
        "a top-level setting and a nested one",
        [_set("pending_days", 30), _set("earning.points", 2)],
        ["~ earning.points: 1 -> 2", "~ pending_days: 14 -> 30"],
    ),
    (
        "an optional field set",
        [_set("rules.2.description", "Loyal customers pay less")],
        ["~ rules[progressive-discount].description: null -> Loyal customers pay less"],
    ),
    (
        "the referral cap",
        [_set("referrals.cap.times", 5)],
        ["~ referrals.cap.times: 10 -> 5"],
    ),
    (
        "a list of values",
        [_set("delivery_skus", ["DELIVERY", "COURIER"])],
        ['~ delivery_skus: ["DELIVERY"] -> ["DELIVERY", "COURIER"]'],
    ),
    (
        "the expiry policy",
        [_set("expiry", {"policy": "lifetime", "months": 24})],
        ["~ expiry.policy: none -> lifetime", "+ expiry.months: 24", "+ expiry.days: 0"],
    ),
    (
        "a condition",
        [_set("rules.0.lines", 'line.category == "coffee" and channel == "app"')],
        [
            '~ rules[coffee-stamps].lines: line.category == "coffee" -> '
            'line.category == "coffee" and channel == "app"'
        ],
    ),
]


def _documents(edits: list[Edit]) -> tuple[ProgrammeDocument, ProgrammeDocument]:
    changed = copy.deepcopy(EXAMPLE)
    for edit in edits:
        edit(changed)
    return ProgrammeDocument.model_validate(EXAMPLE), ProgrammeDocument.model_validate(changed)


@pytest.mark.parametrize(
    ("edits", "lines"), [(e, lines) for _, e, lines in CASES], ids=[c[0] for c in CASES]
)
def test_diff_lines(edits: list[Edit], lines: list[str]) -> None:
    old, new = _documents(edits)
    assert render(diff_documents(old, new)) == lines


def test_changes_carry_path_values_and_kind() -> None:
    old, new = _documents([_set("rules.0.effect.goal", 10), _append("rules", WEEKEND)])
    changes = diff_documents(old, new)
    assert changes[0] == Change("rules[coffee-stamps].effect.goal", 9, 10, ChangeKind.CHANGED)
    added = changes[1]
    assert (added.path, added.before, added.kind) == ("rules[weekend-x2]", None, ChangeKind.ADDED)
    assert added.after["effect"] == {"type": "multiplier", "factor": "2"}


def test_tiers_appearing_list_each_tier() -> None:
    # Without tiers, a reward for a tier is an error: the catalogue goes with them here.
    without = {key: value for key, value in EXAMPLE.items() if key not in ("tiers", "rewards")}
    with_tiers = {key: value for key, value in EXAMPLE.items() if key != "rewards"}
    old = ProgrammeDocument.model_validate(without)
    new = ProgrammeDocument.model_validate(with_tiers)
    settings = '{"metric": "points_earned", "window": "rolling", "months": 12, "grace_days": 30}'
    assert render(diff_documents(old, new)) == [
        f"+ tiers: {settings}",
        "+ tier bronze",
        "+ tier silver",
        "+ tier gold",
    ]
    assert render(diff_documents(new, old)) == [
        f"- tiers: {settings}",
        "- tier bronze",
        "- tier silver",
        "- tier gold",
    ]


def test_long_values_are_shortened() -> None:
    old, new = _documents([_set("rules.0.description", "x" * 200)])
    (line,) = render(diff_documents(old, new))
    assert line.endswith("x" * 77 + "...")
    assert len(line.split(" -> ")[1]) == 80
