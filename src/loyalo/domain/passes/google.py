"""Google Wallet: the loyalty class and object, and the claims of the save link.

Ids are ``<issuer id>.<suffix>``; a suffix may hold letters, digits, ``.``, ``_``
and ``-``, which a member id (a UUID) already is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from loyalo.domain.money import Money, currency_exponent
from loyalo.domain.passes.card import PassCard

SAVE_URL = "https://pay.google.com/gp/v/save/"
MICROS_EXPONENT = 6


@dataclass(frozen=True, slots=True)
class GoogleIdentity:
    """The issuer account, the class every member's object belongs to, and who signs."""

    issuer_id: str
    class_suffix: str
    service_account_email: str
    origins: Sequence[str] = ()
    program_logo_url: str | None = None  # Google requires a logo to create the class

    @property
    def class_id(self) -> str:
        return f"{self.issuer_id}.{self.class_suffix}"

    def object_id(self, member_id: str) -> str:
        return f"{self.issuer_id}.{member_id}"


def loyalty_class(card: PassCard, identity: GoogleIdentity) -> dict[str, Any]:
    design = card.design
    document: dict[str, Any] = {
        "id": identity.class_id,
        "issuerName": card.programme_name,
        "programName": card.logo_text,
        "reviewStatus": "UNDER_REVIEW",
        "hexBackgroundColor": design.background_colour,
        "localizedAccountNameLabel": _text("Member"),
        "localizedAccountIdLabel": _text("Card"),
    }
    if identity.program_logo_url:
        document["programLogo"] = {"sourceUri": {"uri": identity.program_logo_url}}
    return document


def loyalty_object(card: PassCard, identity: GoogleIdentity) -> dict[str, Any]:
    return {
        "id": identity.object_id(card.member_id),
        "classId": identity.class_id,
        "state": "ACTIVE",
        "accountId": card.card_number,
        "accountName": card.member_name or card.card_number,
        "loyaltyPoints": {"label": card.point_name, "balance": {"int": card.points_available}},
        "secondaryLoyaltyPoints": {
            "label": "Worth",
            "balance": {"money": _money(card.points_value)},
        },
        "barcode": {
            "type": "QR_CODE",
            "value": card.card_number,
            "alternateText": card.card_number,
        },
        "textModulesData": _text_modules(card),
    }


def _text_modules(card: PassCard) -> list[dict[str, str]]:
    modules = [{"id": "tier", "header": "Tier", "body": card.tier_name or "—"}]
    if card.points_pending:
        pending = f"{card.points_pending} {card.point_name}, spendable after the return window"
        modules.append({"id": "pending", "header": "Pending", "body": pending})
    if card.design.terms:
        modules.append({"id": "terms", "header": "Terms", "body": card.design.terms})
    return modules


def save_claims(
    objects: Sequence[dict[str, Any]],
    identity: GoogleIdentity,
    issued_at: datetime,
    classes: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The claims of the 'save to Google Wallet' JWT; classes only when we may create them."""
    payload: dict[str, Any] = {"loyaltyObjects": list(objects)}
    if classes:
        payload["loyaltyClasses"] = list(classes)
    return {
        "iss": identity.service_account_email,
        "aud": "google",
        "typ": "savetowallet",
        "iat": int(issued_at.timestamp()),
        "origins": list(identity.origins),
        "payload": payload,
    }


def save_url(token: str) -> str:
    return SAVE_URL + token


def _money(value: Money) -> dict[str, Any]:
    """Google's money is in millionths of the unit: exact from minor units."""
    micros = value.amount_minor * 10 ** (MICROS_EXPONENT - currency_exponent(value.currency))
    return {"micros": micros, "currencyCode": value.currency}


def _text(value: str) -> dict[str, Any]:
    return {"defaultValue": {"language": "en", "value": value}}
