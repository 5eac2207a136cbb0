"""What a wallet card shows about one member, gathered once for either wallet."""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.domain.money import Money
from loyalo.domain.programme.document.passes import PassDesign


@dataclass(frozen=True, slots=True)
class PassCard:
    member_id: str
    card_number: str
    member_name: str | None
    programme_name: str
    point_name: str
    points_available: int
    points_pending: int  # earned, spendable once the return window has passed
    points_value: Money  # what the available points pay at the redemption rate
    tier_name: str | None
    design: PassDesign

    @property
    def logo_text(self) -> str:
        return self.design.logo_text or self.programme_name


def member_name(first_name: str | None, last_name: str | None) -> str | None:
    joined = " ".join(part for part in (first_name, last_name) if part)
    return joined or None
