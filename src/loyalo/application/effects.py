"""What a write did, reported back to the caller line by line."""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.domain.money import Money


@dataclass(frozen=True, slots=True)
class Effect:
    kind: str  # points_earned, debt_settled, points_returned, debt_recorded, ...
    points: int
    description: str
    entry_id: str | None = None
    programme_version: int | None = None
    rule_id: str | None = None
    money: Money | None = None  # for wallet effects: the money moved (``points`` is 0)
