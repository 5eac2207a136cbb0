"""Membership plans in the programme document: validation, the example, the diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from loyalo.adapters.programme_files import parse_programme
from loyalo.domain.programme.diff import diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument
from tests.memberships.support import CLUB, PREMIUM

PROGRAMMES = Path(__file__).parents[2] / "programmes"


def _document(*plans: dict[str, Any]) -> ProgrammeDocument:
    return ProgrammeDocument.model_validate({"memberships": list(plans)})


@pytest.mark.parametrize(
    ("plan", "message"),
    [
        ({**CLUB, "fee": "0"}, "greater than 0"),
        ({**CLUB, "period": "week"}, "'month' or 'year'"),
        ({**CLUB, "grace_days": -1}, "greater than or equal to 0"),
        ({**CLUB, "benefits": {"earn_multiplier": "0.5"}}, "greater than or equal to 1"),
        ({**CLUB, "benefits": {"discount_percent": "120"}}, "less than or equal to 100"),
        ({**CLUB, "benefits": {"member_prices": {"A": "-1"}}}, "greater than or equal to 0"),
        ({**CLUB, "benefits": {"vip_lounge": True}}, "Extra inputs are not permitted"),
    ],
)
def test_a_plan_that_makes_no_sense_is_refused(plan: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _document(plan)


def test_plan_ids_are_unique() -> None:
    with pytest.raises(ValidationError, match="membership plan ids must be unique: club"):
        _document(CLUB, {**PREMIUM, "id": "club"})


@pytest.mark.parametrize("path", sorted(PROGRAMMES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_programme_is_still_valid(path: Path) -> None:
    parse_programme(path.read_text())


def test_the_example_programme_sells_a_club_card() -> None:
    document = parse_programme((PROGRAMMES / "example.yaml").read_text())

    plan = document.plan("club")
    assert plan is not None
    assert (plan.fee, plan.period.value, plan.grace_days) == (19, "month", 3)
    assert plan.benefits.free_delivery
    assert document.plan("gold") is None


def test_the_diff_names_a_plan_that_changed_came_or_went() -> None:
    before = _document(CLUB)
    after = _document({**CLUB, "fee": "21.00"}, PREMIUM)

    lines = render(diff_documents(before, after))

    assert lines == ["~ memberships[club].fee: 19.00 -> 21.00", "+ plan premium"]
