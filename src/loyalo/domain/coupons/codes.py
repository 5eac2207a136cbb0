"""Coupon codes: drawn from a pattern, with entropy enough that guessing one is hopeless.

A pattern is literal text (upper-case letters, digits, ``-``) with ``#`` where a
random character goes. The characters come from Crockford's base32 alphabet,
which leaves out I, L, O and U, so a code read aloud or copied from paper is not
mistaken for another. Each ``#`` carries 5 bits; a personal code needs at least
60 (12 of them) so that trying codes at a till is hopeless.

Randomness is handed in (``RandomBits``): the application passes
``secrets.SystemRandom()``, tests a seeded ``random.Random``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from loyalo.domain.errors import GuessableCouponCodes, InvalidCouponPattern

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
SLOT = "#"
BITS_PER_SLOT = 5  # 32 characters
MIN_PERSONAL_BITS = 60
DEFAULT_PERSONAL_PATTERN = "####-####-####"  # 12 slots: 60 bits
MAX_CODE_LENGTH = 64
_PATTERN = re.compile(r"^[A-Z0-9#-]+$")
_CODE = re.compile(r"^[A-Z0-9-]+$")


class RandomBits(Protocol):
    def getrandbits(self, k: int, /) -> int: ...


@dataclass(frozen=True, slots=True)
class CodePattern:
    text: str

    @property
    def slots(self) -> int:
        return self.text.count(SLOT)

    @property
    def bits(self) -> int:
        """The entropy of one code drawn from the pattern."""
        return self.slots * BITS_PER_SLOT

    @property
    def space(self) -> int:
        """How many different codes the pattern can give."""
        space: int = len(ALPHABET) ** self.slots
        return space


def parse_pattern(text: str) -> CodePattern:
    pattern = text.strip().upper()
    if not pattern or len(pattern) > MAX_CODE_LENGTH:
        raise InvalidCouponPattern(
            f"a pattern has 1 to {MAX_CODE_LENGTH} characters", field="pattern"
        )
    if not _PATTERN.match(pattern):
        raise InvalidCouponPattern(
            "a pattern is letters, digits, '-' and '#' (a random character)", field="pattern"
        )
    return CodePattern(pattern)


def require_personal_entropy(pattern: CodePattern) -> None:
    """Personal codes stand for one member's benefit: at least 60 bits each."""
    if pattern.bits < MIN_PERSONAL_BITS:
        needed = -(-MIN_PERSONAL_BITS // BITS_PER_SLOT)
        raise GuessableCouponCodes(
            f"pattern {pattern.text} gives {pattern.bits} bits per code; personal codes need "
            f"at least {MIN_PERSONAL_BITS} ({needed} '#')",
            field="pattern",
            bits=pattern.bits,
            minimum_bits=MIN_PERSONAL_BITS,
        )


def require_room_for(pattern: CodePattern, count: int) -> None:
    """Many codes from a small pattern would collide again and again, and be easy to guess.

    The pattern must give at least a thousand times as many codes as are drawn, so
    at most one guess in a thousand hits a code of the batch.
    """
    if count > 1 and pattern.space < count * 1000:
        raise GuessableCouponCodes(
            f"pattern {pattern.text} gives {pattern.space} codes: too few for {count} "
            "(at least 1000 times as many are needed)",
            field="pattern",
            bits=pattern.bits,
        )


def draw_code(pattern: CodePattern, random: RandomBits) -> str:
    slots = pattern.slots
    if slots == 0:
        return pattern.text
    bits = random.getrandbits(slots * BITS_PER_SLOT)
    chars: list[str] = []
    for char in pattern.text:
        if char == SLOT:
            chars.append(ALPHABET[bits & 31])
            bits >>= BITS_PER_SLOT
        else:
            chars.append(char)
    return "".join(chars)


def normalise_code(text: str) -> str:
    """A code as typed (spaces, lower case) in the form it is stored in."""
    return "".join(text.split()).upper()


def is_code(text: str) -> bool:
    return 0 < len(text) <= MAX_CODE_LENGTH and _CODE.match(text) is not None
