"""Referral codes: 8 characters of Crockford base32, read back forgivingly.

Crockford's alphabet has no I, L, O or U, so a code read aloud or typed from a
poster cannot be confused; a code typed with those letters, in lower case, with
spaces or hyphens, reads as the code meant.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8  # 40 bits: a trillion codes, drawn again on the rare collision
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_referral_code(choose: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choose(ALPHABET) for _ in range(LENGTH))


def normalize_referral_code(raw: str) -> str | None:
    """The code as stored, or None when ``raw`` cannot be a referral code."""
    text = raw.strip().upper().replace("-", "").replace(" ", "").translate(_READS_AS)
    if len(text) != LENGTH or any(char not in ALPHABET for char in text):
        return None
    return text


def referral_link(template: str | None, code: str) -> str | None:
    return template.replace("{code}", code) if template else None
