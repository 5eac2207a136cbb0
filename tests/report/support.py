"""A small history bought through the application (see test_cohorts_and_rfm.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.filters import Period
from tests.programme.support import apply, buy, enrol
from tests.support.clock import FakeClock

QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31))
HISTORY = {
    "ann": [("2025-12-15 10:00", 10000), ("2026-01-10 10:00", 5000)],
    "bob": [("2026-01-05 09:00", 2000), ("2026-01-20 09:00", 3000), ("2026-03-02 09:00", 4000)],
    "cat": [("2026-01-31 23:30", 1000), ("2026-02-01 00:10", 1500)],
    "dan": [("2026-02-14 12:00", 20000)],
    "eve": [("2026-03-31 23:59", 500)],
    "fay": [],
    "gus": [("2026-04-01 00:00", 9900)],
}


def buy_history(container: Container, clock: FakeClock) -> dict[str, str]:
    """Name → member id, after the history above was bought and time moved on."""
    clock.advance(datetime(2026, 4, 2, tzinfo=UTC) - clock.now())
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"})
    ids = {}
    for name, purchases in HISTORY.items():
        member = enrol(container, external_id=name)
        ids[name] = member.member_id
        for at, minor in purchases:
            buy(container, member, minor, datetime.fromisoformat(at).replace(tzinfo=UTC))
    return ids
