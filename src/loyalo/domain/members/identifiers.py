"""One member, several identifiers: parse whatever a till, shop or app sends."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from loyalo.domain.errors import InvalidIdentifier
from loyalo.domain.members.cards import is_valid_card_number


class IdentifierKind(StrEnum):
    ID = "id"
    EXTERNAL = "ext"
    CARD = "card"
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True, slots=True)
class MemberRef:
    kind: IdentifierKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


_PREFIXED = re.compile(r"^(id|ext|card|phone|email):(.+)$")


def normalize_phone(raw: str, default_region: str | None = None) -> str:
    """E.164 form (+48601234567), or ``InvalidIdentifier``."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier(f"{raw!r} is not a phone number", field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentifier(f"{raw!r} is not a valid phone number", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidIdentifier(f"{raw!r} is not an e-mail address: {exc}", field="email") from exc
    return result.normalized.lower()


def normalize_card(raw: str) -> str:
    digits = re.sub(r"[\s-]", "", raw)
    if not is_valid_card_number(digits):
        raise InvalidIdentifier(f"{raw!r} is not a valid card number", field="card")
    return digits


def _normalize_member_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError as exc:
        raise InvalidIdentifier(f"{raw!r} is not a member id", field="id") from exc


_NORMALIZERS: dict[IdentifierKind, Callable[[str], str]] = {
    IdentifierKind.ID: _normalize_member_id,
    IdentifierKind.CARD: normalize_card,
    IdentifierKind.PHONE: normalize_phone,
    IdentifierKind.EMAIL: normalize_email,
    IdentifierKind.EXTERNAL: str.strip,
}


def parse_member_ref(raw: str) -> MemberRef:
    """``kind:value`` explicitly, or a bare value recognised by its shape.

    A bare value is a member id if it is a UUID, an e-mail if it has an ``@``, a
    phone if it starts with ``+``, a card if it is digits passing the Luhn check,
    and an external id otherwise.
    """
    text = raw.strip()
    if not text:
        raise InvalidIdentifier("an empty member identifier")
    match = _PREFIXED.match(text)
    if match:
        kind = IdentifierKind(match.group(1))
        return MemberRef(kind, _NORMALIZERS[kind](match.group(2)))
    return MemberRef(*_guess(text))


def _guess(text: str) -> tuple[IdentifierKind, str]:
    try:
        return IdentifierKind.ID, str(uuid.UUID(text))
    except ValueError:
        pass
    if "@" in text:
        return IdentifierKind.EMAIL, normalize_email(text)
    if text.startswith("+"):
        return IdentifierKind.PHONE, normalize_phone(text)
    compact = re.sub(r"[\s-]", "", text)
    if compact.isdigit() and is_valid_card_number(compact) and len(compact) >= 12:
        return IdentifierKind.CARD, compact
    return IdentifierKind.EXTERNAL, text
