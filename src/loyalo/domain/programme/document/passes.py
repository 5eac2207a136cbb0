"""How the member's wallet card looks in Apple Wallet and Google Wallet."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from loyalo.domain.programme.document.base import Part

HexColour = Annotated[
    str,
    Field(pattern=r"^#[0-9A-Fa-f]{6}$", description="a colour as #RRGGBB", examples=["#1F2937"]),
]


class PassDesign(Part):
    """The wallet card: its colours and texts; the certificates are the server's settings."""

    description: str = Field(default="Loyalty card", min_length=1, max_length=120)
    """What the phone reads out for the card (VoiceOver, the lock screen)."""
    logo_text: str | None = Field(default=None, max_length=40)
    """Text beside the logo on the card's front; the programme name when left out."""
    background_colour: HexColour = "#1F2937"
    foreground_colour: HexColour = "#FFFFFF"
    """The colour of the values on the card."""
    label_colour: HexColour = "#D1D5DB"
    """The colour of the labels above the values (Apple Wallet)."""
    terms: str | None = Field(default=None, max_length=2000)
    """The programme's terms, printed on the back of the card."""
