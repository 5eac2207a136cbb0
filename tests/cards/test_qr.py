"""The digital card: a QR code of exactly the card number, level M, quiet border."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
import segno

from loyalo.adapters.cards.qr import (
    QUIET_ZONE,
    card_designator,
    card_matrix,
    card_png,
    card_svg,
)

CARD = "8900123456789015"
OTHER = "8900987654321098"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    assert chunk_type == b"IHDR"
    assert length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_svg_is_well_formed_xml_with_an_svg_root() -> None:
    root = ET.fromstring(card_svg(CARD))
    assert root.tag in {"svg", "{http://www.w3.org/2000/svg}svg"}
    assert int(root.attrib["width"]) > 0
    assert int(root.attrib["height"]) > 0


def test_svg_size_includes_the_quiet_border() -> None:
    modules = len(card_matrix(CARD))
    root = ET.fromstring(card_svg(CARD, scale=3))
    assert int(root.attrib["width"]) == (modules + 2 * QUIET_ZONE) * 3


def test_png_has_the_signature_and_a_positive_size() -> None:
    width, height = _png_size(card_png(CARD))
    assert width > 0
    assert height > 0
    assert width == height


def test_png_size_follows_scale_and_quiet_border() -> None:
    modules = len(card_matrix(CARD))
    width, _ = _png_size(card_png(CARD, scale=6))
    assert width == (modules + 2 * QUIET_ZONE) * 6


def test_same_card_gives_identical_bytes() -> None:
    assert card_svg(CARD) == card_svg(CARD)
    assert card_png(CARD) == card_png(CARD)


def test_different_cards_give_different_images() -> None:
    assert card_svg(CARD) != card_svg(OTHER)
    assert card_png(CARD) != card_png(OTHER)
    assert card_matrix(CARD) != card_matrix(OTHER)


def test_symbol_encodes_the_card_number_at_level_m() -> None:
    reference = segno.make_qr(CARD, error="m", boost_error=False)
    assert reference.designator == "1-M"
    assert card_designator(CARD) == reference.designator
    expected = tuple(tuple(int(bool(m)) for m in row) for row in reference.matrix)
    assert card_matrix(CARD) == expected


def test_symbol_is_a_full_qr_code_not_micro() -> None:
    # segno.make would pick a Micro QR for a short number; scanners read full QR codes.
    assert card_designator(CARD).startswith("1-")
    assert len(card_matrix(CARD)) == 21


@pytest.mark.parametrize("render", [card_svg, card_png])
def test_an_empty_card_number_is_refused(render: Callable[[str], bytes]) -> None:
    with pytest.raises(ValueError, match="card number"):
        render("")
