"""Exact money and points arithmetic of the engine: integers and Decimals only."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from loyalo.domain.programme.document.base import Rounding

_UNITS = {exponent: Decimal(1).scaleb(-exponent) for exponent in range(7)}  # 0.01 for 2
_DOWN, _UP, _HALF_UP = Rounding.DOWN, Rounding.UP, Rounding.HALF_UP  # a member lookup is slow


def to_integer(value: Decimal, rounding: Rounding = Rounding.DOWN) -> int:
    if rounding is _DOWN:
        return math.floor(value)
    if rounding is _UP:
        return math.ceil(value)
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def round_ratio(numerator: int, denominator: int, rounding: Rounding) -> int:
    """``numerator / denominator`` (a positive denominator) rounded to a whole number, exactly."""
    if rounding is _DOWN:
        return numerator // denominator
    if rounding is _UP:
        return -(-numerator // denominator)
    rounded = (2 * abs(numerator) + denominator) // (2 * denominator)  # half away from zero
    return rounded if numerator >= 0 else -rounded


def percent_of(amount_minor: int, percent: Decimal) -> int:
    """A percentage of an amount in minor units, rounded half up (a till's rounding).

    In integers: the same result as ``Decimal(amount) * percent / 100`` rounded,
    whenever that product fits Decimal's 28 digits (it is then exact), and still
    exact where it would not.
    """
    numerator, denominator = percent.as_integer_ratio()
    return round_ratio(amount_minor * numerator, denominator * 100, _HALF_UP)


def rate_per_minor(points: Decimal, per: Decimal, exponent: int) -> tuple[int, int]:
    """``points`` for every ``per`` currency units, as points per minor unit: (num, den).

    ``round_ratio(amount_minor * num, den, rounding)`` then gives the points of an
    amount exactly, as the Decimal ``amount * points / per`` does up to its 28th digit:
    the two round the same for any amount a till can ring up.
    """
    points_numerator, points_denominator = points.as_integer_ratio()
    per_numerator, per_denominator = per.as_integer_ratio()
    numerator = points_numerator * per_denominator
    denominator = points_denominator * per_numerator * 10**exponent
    return numerator, denominator


def allocate(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``total`` across keys in proportion to ``weights`` (largest remainder).

    The parts always add up to ``total`` exactly; ties go to the smaller key.
    Keys without a positive weight get nothing.
    """
    if total == 0 or not weights:
        return {}
    if len(weights) == 1:  # one line takes it all: the commonest split of a small basket
        ((key, weight),) = weights.items()
        return {key: total} if weight > 0 else {}
    lightest = min(weights.values())
    if lightest <= 0:  # a line already fully discounted, say
        weights = {key: weight for key, weight in weights.items() if weight > 0}
        return allocate(total, weights) if weights else {}
    if lightest == max(weights.values()):  # equal weights: one unit of each line, say
        return _allocate_evenly(total, weights)
    whole = sum(weights.values())
    shares: dict[int, int] = {}
    remainders: list[tuple[int, int]] = []  # (-remainder, key): the largest first, then by key
    given = 0
    for key, weight in weights.items():
        share, remainder = divmod(total * weight, whole)
        shares[key] = share
        given += share
        if remainder:
            remainders.append((-remainder, key))
    left = total - given  # fewer than the nonzero remainders: they add up to left * whole
    if left:
        remainders.sort()
        for _, key in remainders[:left]:
            shares[key] += 1
    return shares if all(shares.values()) else {key: n for key, n in shares.items() if n}


def _allocate_evenly(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """``allocate`` with equal weights: the same share each, one more for the smallest keys."""
    share, left = divmod(total, len(weights))
    shares = dict.fromkeys(weights, share)
    for key in sorted(weights)[:left]:
        shares[key] += 1
    return shares if all(shares.values()) else {key: n for key, n in shares.items() if n}


def add_into(target: dict[int, int], parts: Mapping[int, int]) -> None:
    for key, value in parts.items():
        target[key] = target.get(key, 0) + value


def minor_to_units(amount_minor: int, exponent: int) -> Decimal:
    """``Decimal(amount_minor).scaleb(-exponent)``: 1080 and 2 give 10.80."""
    unit = _UNITS.get(exponent)
    if unit is None:
        return Decimal(amount_minor).scaleb(-exponent)
    return Decimal(amount_minor) * unit  # the same digits and exponent, for less


def units_to_minor(amount: Decimal, exponent: int) -> int:
    return to_integer(amount.scaleb(exponent), Rounding.HALF_UP)


def nonzero(values: Sequence[int]) -> bool:
    return any(values)
