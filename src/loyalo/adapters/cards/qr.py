"""The card number as a QR code a till scanner reads off a phone screen.

Always a full-size QR symbol (never Micro QR, which many scanners refuse), with
error correction level M exactly (no boosting, so the symbol is predictable) and
the standard four-module quiet border around it.
"""

from __future__ import annotations

import io
from typing import Any

import segno

ERROR_LEVEL = "m"
QUIET_ZONE = 4  # modules of light border, as the QR standard asks


def _symbol(card_number: str) -> Any:
    if not card_number:
        raise ValueError("a card number is needed to draw a card")
    return segno.make_qr(card_number, error=ERROR_LEVEL, boost_error=False)


def card_matrix(card_number: str) -> tuple[tuple[int, ...], ...]:
    """The symbol's modules without the border, one row per tuple: 1 dark, 0 light."""
    return tuple(tuple(int(bool(module)) for module in row) for row in _symbol(card_number).matrix)


def card_designator(card_number: str) -> str:
    """The symbol's version and error level, e.g. ``1-M``."""
    return str(_symbol(card_number).designator)


def _render(card_number: str, kind: str, scale: int, **options: Any) -> bytes:
    if scale < 1:
        raise ValueError("the scale must be at least 1")
    buffer = io.BytesIO()
    _symbol(card_number).save(buffer, kind=kind, scale=scale, border=QUIET_ZONE, **options)
    return buffer.getvalue()


def card_svg(card_number: str, *, scale: int = 4) -> bytes:
    """An SVG document (UTF-8) of the card's QR code."""
    return _render(card_number, "svg", scale, title=f"Card {card_number}")


def card_png(card_number: str, *, scale: int = 6) -> bytes:
    """A PNG image of the card's QR code."""
    return _render(card_number, "png", scale)
