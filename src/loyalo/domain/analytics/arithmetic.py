"""Ratios and averages from exact counts: the same numbers whatever engine counted."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from loyalo.domain.money import Money

RATE_PLACES = Decimal("0.0001")


def rate(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """``part / whole`` to four decimal places (half up); None when there is no whole."""
    if whole == 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUND_HALF_UP)


def growth(current: int, previous: int) -> Decimal | None:
    return None if previous == 0 else rate(current - previous, previous)


def average(total_minor: int | Decimal, count: int, currency: str) -> Money | None:
    """An average amount, rounded half up to the currency's minor unit."""
    if count == 0:
        return None
    minor = (Decimal(total_minor) / count).quantize(Decimal(1), ROUND_HALF_UP)
    return Money(int(minor), currency)
