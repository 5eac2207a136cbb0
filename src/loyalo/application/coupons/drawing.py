"""Drawing codes no stored coupon has, and the validity every coupon must have."""

from __future__ import annotations

from datetime import datetime

from loyalo.application.ports import UnitOfWork
from loyalo.domain.coupons.codes import CodePattern, RandomBits, draw_code
from loyalo.domain.errors import InvalidInput

_DRAWS = 8  # a 60-bit code drawn twice is all but impossible; a few tries bound the loop


class CodesExhausted(RuntimeError):
    """Every draw collided with a stored code: the pattern is far too small. A bug."""


def check_validity(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise InvalidInput("a coupon's validity ends after it starts", field="valid_until")


def fresh_codes(uow: UnitOfWork, pattern: CodePattern, count: int, random: RandomBits) -> list[str]:
    """``count`` different codes from ``pattern`` that no stored coupon has."""
    codes: set[str] = set()
    for _ in range(_DRAWS):
        drawn = {draw_code(pattern, random) for _ in range(count - len(codes))} - codes
        codes |= drawn - uow.coupons.taken(drawn)
        if len(codes) == count:
            return sorted(codes)
    raise CodesExhausted(f"pattern {pattern.text}: {len(codes)} of {count} codes after {_DRAWS}")
