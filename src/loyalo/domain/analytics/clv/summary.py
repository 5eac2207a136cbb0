"""The RFM summary of a transaction log, as the BG/NBD and Gamma-Gamma models read it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class RfmSummary:
    """One row per customer, in the order of ``customer_ids``; times in ``unit_days`` units.

    ``frequency`` counts repeat purchases (distinct purchase days after the first),
    ``recency`` is the time from the first purchase to the last, ``age`` (T) from the
    first purchase to the end of the period, ``monetary`` the mean value of the repeat
    purchase days (0 without one): the first purchase is left out, as in Fader, Hardie
    and Lee (2005), "RFM and CLV: using iso-value curves".
    """

    customer_ids: tuple[str, ...]
    frequency: FloatArray
    recency: FloatArray
    age: FloatArray
    monetary: FloatArray

    def __len__(self) -> int:
        return len(self.customer_ids)


def summarise(
    purchases: Iterable[tuple[str, date, float]], period_end: date, unit_days: float = 7.0
) -> RfmSummary:
    """Summarise ``(customer, day, amount)`` rows up to and including ``period_end``.

    Purchases of one customer on one day are merged into one (their amounts added);
    rows after ``period_end`` are left out.
    """
    end = period_end.toordinal()
    days: dict[tuple[str, int], float] = {}
    for customer, day, amount in purchases:
        ordinal = day.toordinal()
        if ordinal <= end:
            key = (customer, ordinal)
            days[key] = days.get(key, 0.0) + amount
    return _summarise_days(days, end, unit_days)


def _summarise_days(days: dict[tuple[str, int], float], end: int, unit_days: float) -> RfmSummary:
    if not days:
        empty = np.zeros(0, dtype=np.float64)
        return RfmSummary((), empty, empty, empty, empty)
    keys = sorted(days)
    customers = np.array([key[0] for key in keys], dtype=object)
    ordinals = np.array([key[1] for key in keys], dtype=np.int64)
    amounts = np.array([days[key] for key in keys], dtype=np.float64)
    starts = np.flatnonzero(np.r_[True, customers[1:] != customers[:-1]])
    counts = np.diff(np.r_[starts, len(keys)])
    first, last = ordinals[starts], ordinals[starts + counts - 1]
    frequency = (counts - 1).astype(np.float64)
    repeat_total = np.add.reduceat(amounts, starts) - amounts[starts]
    monetary = np.divide(
        repeat_total, frequency, out=np.zeros_like(repeat_total), where=frequency > 0
    )
    return RfmSummary(
        customer_ids=tuple(str(c) for c in customers[starts]),
        frequency=frequency,
        recency=(last - first) / unit_days,
        age=(end - first) / unit_days,
        monetary=monetary,
    )
