"""A gift card: a code worth a balance in one currency, optionally guarded by a PIN.

The code is 16 characters of Crockford's base 32 (80 random bits), shown in
groups of four. Input is read leniently (any case, dashes or spaces, and the
letters Crockford maps to digits), so a code read aloud or retyped still matches.
The PIN is never stored: only a salted PBKDF2 hash of it, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from loyalo.domain.errors import GiftCardExpired, GiftCardPinInvalid, GiftCardVoid, InvalidInput

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 16  # 16 x 5 bits = 80 bits of entropy
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_PIN_ROUNDS = 20_000


class GiftCardStatus(StrEnum):
    ACTIVE = "active"
    VOID = "void"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """The canonical form of a code as typed; refused if it cannot be a code."""
    code = text.upper().replace("-", "").replace(" ", "").translate(_READ_AS)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise InvalidInput("a gift card code is 16 letters and digits", field="code")
    return code


def display_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def check_pin_format(pin: str) -> None:
    if not _pin_shaped(pin):
        raise InvalidInput("a gift card PIN is 4 to 8 digits", field="pin")


def hash_pin(pin: str, salt: str) -> str:
    check_pin_format(pin)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt.encode(), _PIN_ROUNDS)
    return digest.hex()


@dataclass(frozen=True, slots=True)
class GiftCard:
    card_id: str
    code: str  # canonical, without dashes
    currency: str
    initial_minor: int
    balance_minor: int
    status: GiftCardStatus
    issued_at: datetime
    valid_until: datetime | None
    pin_hash: str | None
    seq: int  # the number of its last movement

    def is_expired(self, at: datetime) -> bool:
        return self.valid_until is not None and at >= self.valid_until

    def check_pin(self, pin: str | None) -> None:
        """A card with a PIN needs it; a wrong or missing one is refused alike."""
        if self.pin_hash is None:
            return
        given = hash_pin(pin, self.card_id) if pin and _pin_shaped(pin) else ""
        if not hmac.compare_digest(given, self.pin_hash):
            raise GiftCardPinInvalid("the gift card PIN is missing or wrong")

    def check_usable(self, at: datetime) -> None:
        """What paying with or loading the card requires: active and not expired."""
        if self.status is GiftCardStatus.VOID:
            raise GiftCardVoid(f"gift card {display_code(self.code)} is void")
        if self.is_expired(at):
            assert self.valid_until is not None
            raise GiftCardExpired(
                f"gift card {display_code(self.code)} expired at {self.valid_until.isoformat()}",
                valid_until=self.valid_until.isoformat(),
            )


def _pin_shaped(pin: str) -> bool:
    return pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 8
