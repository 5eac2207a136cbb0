"""Exact money and points arithmetic of the engine: integers and Decimals only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from loyalo.domain.programme.document.base import Rounding

_MODES = {Rounding.DOWN: ROUND_FLOOR, Rounding.HALF_UP: ROUND_HALF_UP, Rounding.UP: ROUND_CEILING}


def to_integer(value: Decimal, rounding: Rounding = Rounding.DOWN) -> int:
    return int(value.to_integral_value(rounding=_MODES[rounding]))


def percent_of(amount_minor: int, percent: Decimal) -> int:
    """A percentage of an amount in minor units, rounded half up (a till's rounding)."""
    return to_integer(Decimal(amount_minor) * percent / 100, Rounding.HALF_UP)


def allocate(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` across keys in proportion to ``weights`` (largest remainder).

    The parts always add up to ``total`` exactly; ties go to the earlier key.
    """
    keys = [key for key, weight in weights.items() if weight > 0]
    whole = sum(weights[key] for key in keys)
    if total == 0 or whole == 0:
        return {}
    shares = {key: total * weights[key] // whole for key in keys}
    left = total - sum(shares.values())
    by_remainder = sorted(keys, key=lambda key: (-(total * weights[key] % whole), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return {key: share for key, share in shares.items() if share}


def add_into(target: dict[int, int], parts: Mapping[int, int]) -> None:
    for key, value in parts.items():
        target[key] = target.get(key, 0) + value


def minor_to_units(amount_minor: int, exponent: int) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent)


def units_to_minor(amount: Decimal, exponent: int) -> int:
    return to_integer(amount.scaleb(exponent), Rounding.HALF_UP)


def nonzero(values: Sequence[int]) -> bool:
    return any(values)
