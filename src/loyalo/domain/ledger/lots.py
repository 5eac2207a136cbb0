"""Credits are kept as lots with their own dates, consumed oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.errors import InsufficientPoints


@dataclass(frozen=True, slots=True)
class Lot:
    lot_id: str
    points_remaining: int
    earned_at: datetime
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class LotDraw:
    lot_id: str
    points: int


def draw_oldest_first(
    lots: list[Lot], points: int, prefer_source: str | None = None
) -> list[LotDraw]:
    """Which lots give ``points``: the preferred source's lots first, then oldest first."""
    if points < 0:
        raise ValueError("cannot draw a negative amount")
    ordered = sorted(
        lots, key=lambda lot: (lot.source_id != prefer_source, lot.earned_at, lot.lot_id)
    )
    draws: list[LotDraw] = []
    remaining = points
    for lot in ordered:
        if remaining == 0:
            break
        take = min(lot.points_remaining, remaining)
        if take > 0:
            draws.append(LotDraw(lot.lot_id, take))
            remaining -= take
    if remaining:
        raise InsufficientPoints(
            f"lots hold {points - remaining} points, {points} needed", shortfall=remaining
        )
    return draws
