"""Each member's spend before and after joining, with history recorded before they joined.

The cast is in tests/analytics/joiners.py; the windows here are the member's own, from the
moment they joined (10:00 UTC on their day): with 28 days, ann (joined 4 March) has "before"
4 February 10:00 to 4 March 10:00 and "after" from then to 1 April 10:00.
"""

from __future__ import annotations

from typing import Any

import pytest

from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import KpiFilters
from loyalo.domain.errors import InvalidAnalyticsQuery
from tests.analytics.joiners import (
    ANN,
    ANN_WEB,
    BOB,
    DAN,
    EVE,
    HAL,
    MARCH,
    OBSERVED,
    START,
    build_joiners,
)
from tests.analytics.support import plain
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def _by_name(
    container: Container, names: dict[str, str], window_days: int, filters: KpiFilters
) -> dict[str, Any]:
    found = container.analytics.spend_around_joining(MARCH, filters, window_days)
    return {
        "rows": {
            names[m.member_id]: (
                m.orders_before,
                m.spend_before_minor,
                m.orders_after,
                m.spend_after_minor,
                found.complete(m),
            )
            for m in found.members
        },
        "totals": (
            len(found.members),
            found.with_orders_before,
            found.complete_windows,
            found.orders_before,
            plain(found.spend_before),
            found.orders_after,
            plain(found.spend_after),
        ),
        "ordered": [m.member_id for m in found.members]
        == sorted(m.member_id for m in found.members),
    }


CASES = [
    (
        28,
        KpiFilters(),
        {
            # ann: 100.00 on 10 Feb and 500.00 on 3 March before; 80.00 + 70.00 after
            "ann": (2, 60_000, 2, 15_000, True),
            # eve: 30.00 + 30.00 on 5 and 6 February (noon, after 10:00 on 5 Feb), 100.00 after
            "eve": (2, 6_000, 1, 10_000, True),
            # dan joined on 30 March: his 90.00 of 15 February is more than 28 days before
            "dan": (0, 0, 0, 0, True),
            "hal": (0, 0, 1, 5_000, True),
        },
        (4, 2, 4, 4, "660.00", 4, "300.00"),
    ),
    (
        90,
        KpiFilters(),
        {
            "ann": (2, 60_000, 2, 15_000, False),  # 90 days after 4 March: 2 June, after 1 May
            "eve": (2, 6_000, 1, 10_000, False),
            "dan": (1, 9_000, 0, 0, False),  # 15 February is within 90 days before 30 March
            "hal": (0, 0, 1, 5_000, False),
        },
        (4, 3, 0, 5, "750.00", 4, "300.00"),
    ),
]


@pytest.mark.parametrize(("window_days", "filters", "rows", "totals"), CASES)
def test_spend_before_and_after_joining(
    container: Container,
    window_days: int,
    filters: KpiFilters,
    rows: dict[str, tuple[int, ...]],
    totals: tuple[object, ...],
) -> None:
    members = build_joiners(container, [ANN, BOB, DAN, EVE, HAL])
    names = {member.member_id: name for name, member in members.items()}
    found = _by_name(container, names, window_days, filters)
    assert found["rows"] == rows  # bob joined in April: not in March's table
    assert found["totals"] == totals
    assert found["ordered"]


def test_the_channel_filter_and_the_export_read(container: Container) -> None:
    build_joiners(container, [ANN_WEB, BOB])
    found = container.analytics.spend_around_joining(MARCH, KpiFilters(channel="web"), 28)
    (ann,) = found.members
    assert (ann.orders_before, ann.spend_before_minor, ann.spend_after_minor) == (0, 0, 7_000)
    assert found.observed_until == OBSERVED


@pytest.mark.parametrize("days", [0, 367])
def test_a_window_out_of_range_is_refused(container: Container, days: int) -> None:
    with pytest.raises(InvalidAnalyticsQuery) as refused:
        container.analytics.spend_around_joining(MARCH, KpiFilters(), days)
    assert refused.value.extensions == {"field": "window_days"}
