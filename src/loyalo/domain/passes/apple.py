"""Apple Wallet: the pass.json of a store card and the manifest of the package.

The manifest names every file of the package with the SHA-1 of its bytes, as the
format requires; the signature over the manifest is made outside the domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from loyalo.domain.passes.card import PassCard

QR_FORMAT = "PKBarcodeFormatQR"
BARCODE_ENCODING = "iso-8859-1"


@dataclass(frozen=True, slots=True)
class AppleIdentity:
    """Who issues the pass: the pass type and team of the pass certificate."""

    pass_type_id: str
    team_id: str
    organization_name: str


def rgb(hex_colour: str) -> str:
    """``#1F2937`` as ``rgb(31, 41, 55)``, the form pass.json takes."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red}, {green}, {blue})"


def pass_json(card: PassCard, identity: AppleIdentity) -> dict[str, Any]:
    design = card.design
    return {
        "formatVersion": 1,
        "passTypeIdentifier": identity.pass_type_id,
        "serialNumber": card.member_id,
        "teamIdentifier": identity.team_id,
        "organizationName": identity.organization_name,
        "description": design.description,
        "logoText": card.logo_text,
        "backgroundColor": rgb(design.background_colour),
        "foregroundColor": rgb(design.foreground_colour),
        "labelColor": rgb(design.label_colour),
        "barcodes": [
            {
                "format": QR_FORMAT,
                "message": card.card_number,
                "messageEncoding": BARCODE_ENCODING,
                "altText": card.card_number,
            }
        ],
        "storeCard": _store_card(card),
    }


def _store_card(card: PassCard) -> dict[str, list[dict[str, Any]]]:
    value = card.points_value
    # Wallet formats a number with currencyCode in the phone's locale; a float
    # of a decimal with at most three places prints back exactly.
    worth = {"currencyCode": value.currency, "value": float(value.as_decimal())}
    return {
        "headerFields": [{"key": "value", "label": "Worth", **worth}],
        "primaryFields": [
            {"key": "balance", "label": card.point_name, "value": card.points_available}
        ],
        "secondaryFields": _secondary_fields(card),
        "auxiliaryFields": [
            {"key": "member", "label": "Member", "value": card.member_name or ""},
            {"key": "card", "label": "Card", "value": card.card_number},
        ],
        "backFields": _back_fields(card),
    }


def _secondary_fields(card: PassCard) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [
        {"key": "tier", "label": "Tier", "value": card.tier_name or "—"}
    ]
    if card.points_pending:
        fields.append({"key": "pending", "label": "Pending", "value": card.points_pending})
    return fields


def _back_fields(card: PassCard) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [
        {"key": "programme", "label": "Programme", "value": card.programme_name},
        {"key": "card-number", "label": "Card number", "value": card.card_number},
        {
            "key": "balance-as-of",
            "label": "Balance",
            "value": f"{card.points_available} {card.point_name} = "
            f"{card.points_value} {card.points_value.currency} when this card was issued",
        },
    ]
    if card.design.terms:
        fields.append({"key": "terms", "label": "Terms", "value": card.design.terms})
    return fields


def manifest(files: Mapping[str, bytes]) -> dict[str, str]:
    """Every file of the package by name, with the SHA-1 of its bytes in hex."""
    return {name: hashlib.sha1(data).hexdigest() for name, data in sorted(files.items())}
