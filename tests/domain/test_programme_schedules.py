"""Schedules: 'ends' after 'starts', whether they carry an offset or not."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from loyalo.domain.programme.document import ProgrammeDocument


def _document(starts: str, ends: str) -> dict[str, Any]:
    return {
        "timezone": "Europe/Warsaw",
        "rules": [
            {
                "id": "sale",
                "name": "Winter sale",
                "schedule": {"starts": starts, "ends": ends},
                "effect": {"type": "points", "points": 10},
            }
        ],
    }


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2026-12-01T00:00:00", "2027-01-01T00:00:00"),
        ("2026-12-01T00:00:00+01:00", "2027-01-01T00:00:00Z"),
        ("2026-12-01T10:00:00", "2026-12-01T09:30:00Z"),  # 10:00 in Warsaw is 09:00 UTC
    ],
)
def test_a_schedule_that_ends_after_it_starts(starts: str, ends: str) -> None:
    ProgrammeDocument.model_validate(_document(starts, ends))


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        ("2027-01-01T00:00:00", "2026-12-01T00:00:00"),
        ("2026-12-01T10:00:00", "2026-12-01T08:30:00Z"),  # one without an offset, one with
        ("2026-12-01T10:00:00Z", "2026-12-01T10:30:00"),  # 10:30 in Warsaw is 09:30 UTC
    ],
)
def test_a_schedule_that_ends_before_it_starts_is_refused(starts: str, ends: str) -> None:
    with pytest.raises(ValidationError, match="'ends' must be after 'starts'"):
        ProgrammeDocument.model_validate(_document(starts, ends))
