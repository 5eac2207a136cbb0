"""The matched baseline on histories built by hand: each lift worked out in the case's comment.

The cast and the calendar are in tests/analytics/joiners.py: windows of 28 days; ann joins in
the week of 2 March, so her "before" is 2 February to 1 March and her "after" 9 March to
5 April (her 500.00 on 3 March, in the joining week, is in neither); controls of that week are
members who joined on 6 April or later. The store is exported on 1 May.

Spend bands are the quartiles of the joiners' spend before: with joiners' spend [s1 <= s2 ...]
the cuts are the values at positions n/4, n/2, 3n/4 rounded down (none below position 1), and
a spend's band is 1 + the number of cuts it is above.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from loyalo.application.analytics.service import AnalyticsService
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.costs import CostsDocument
from loyalo.domain.analytics.filters import KpiFilters, Period
from tests.analytics.joiners import (
    ANN,
    ANN_WEB,
    APRIL,
    BOB,
    CAT,
    DAN,
    EVE,
    FEBRUARY,
    GUS,
    HAL,
    MARCH,
    START,
    WINDOW,
    Customer,
    build_joiners,
)
from tests.analytics.support import plain
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@dataclass(frozen=True)
class Case:
    name: str
    customers: list[Customer]
    expected: dict[str, Any]
    period: Period = MARCH
    filters: KpiFilters = field(default_factory=KpiFilters)


def _estimated(**figures: Any) -> dict[str, Any]:
    return {"method": "matched-baseline", "without": 0, "recent": 0, "unmatched": 0, **figures}


CASES = [
    # ann: after 80 + 70 = 150.00, before 100.00: +50.00. bob (control): 70.00 - 60.00 = +10.00.
    # One order each, the same spend band (one joiner: no cuts). Lift 50 - 10 = 40.00.
    Case(
        "a joiner against a member who joined later",
        [ANN, BOB],
        _estimated(
            joiners=1, matched=1, controls=1, change="50.00", predicted="10.00", lift="40.00"
        ),
    ),
    # cat (control): 0 - 40.00 = -40.00; the controls' mean (10 - 40) / 2 = -15.00, so ann's
    # predicted change is -15.00 and the lift 50 + 15 = 65.00. dan joined on 30 March, inside
    # ann's after window: not her control (his -90.00 would change the mean), and a joiner
    # himself whose 28 days after his joining week (from 6 April) end on 4 May, after the export.
    Case(
        "the controls' mean change; a member who joins within the window is no control",
        [ANN, BOB, CAT, DAN],
        _estimated(
            joiners=2, recent=1, matched=1, controls=2, change="50.00", predicted="-15.00",
            lift="65.00",
        ),
    ),
    # Joiners' spend before: eve 60.00 (two orders), ann 100.00 (one): n = 2, cuts: none,
    # 60.00, 60.00. ann (1 order, 100.00 > 60.00 twice: band 3) has no control: bob and cat
    # (1 order, 60.00 and 40.00: band 1) are in another band. eve (2 orders, band 1) is matched
    # with gus (2 orders, 40.00: band 1): eve 100 - 60 = +40.00, gus 20 - 40 = -20.00.
    # Lift 40 + 20 = 60.00.
    Case(
        "strata by orders and by spend before",
        [ANN, BOB, CAT, EVE, GUS],
        _estimated(
            joiners=2, matched=1, unmatched=1, controls=1, change="40.00", predicted="-20.00",
            lift="60.00",
        ),
    ),
    # hal joins in the week of 9 March with nothing before it: in no stratum. ann against bob
    # as in the first case.
    Case(
        "a joiner with no purchase before is left out",
        [ANN, BOB, HAL],
        _estimated(
            joiners=2, without=1, matched=1, controls=1, change="50.00", predicted="10.00",
            lift="40.00",
        ),
    ),
    # Only pos purchases count: ann after 80.00, before 100.00: -20.00; bob +10.00 (pos).
    # Lift -20 - 10 = -30.00: joining is followed by less than the baseline predicts.
    Case(
        "a channel filter applies to both sides",
        [ANN_WEB, BOB],
        _estimated(
            joiners=1, matched=1, controls=1, change="-20.00", predicted="10.00", lift="-30.00"
        ),
        filters=KpiFilters(channel="pos"),
    ),
    Case(
        "no control: no estimate",
        [ANN, DAN],
        {
            "method": "matched-baseline", "joiners": 2, "recent": 1, "without": 0, "matched": 0,
            "unmatched": 1, "controls": 0, "change": None, "predicted": None, "lift": None,
            "reason": "no member who joined later had purchases in the same bands over the same "
            "days as those who joined with purchases before (1 member)",
        },
    ),
    Case(
        "no history before joining (live use without an import): no estimate",
        [Customer("ann", ANN.joins, ANN.buys[2:]), Customer("bob", BOB.joins, BOB.buys[1:])],
        {
            "method": "matched-baseline", "joiners": 1, "recent": 0, "without": 1, "matched": 0,
            "unmatched": 0, "controls": 0, "change": None, "predicted": None, "lift": None,
            "reason": "no member who joined in the period (1 member with 28 days passed since) "
            "has a purchase recorded in the 28 days before joining: the baseline needs their "
            "earlier history (loyalo import purchases)",
        },
    ),
    # bob joined in the week of 20 April, cat in that of 6 April: 28 days after the week's end
    # are 25 May and 11 May, both after the export.
    Case(
        "every joiner too recent: no estimate",
        [ANN, BOB, CAT],
        {
            "method": "matched-baseline", "joiners": 2, "recent": 2, "without": 0, "matched": 0,
            "unmatched": 0, "controls": 0, "change": None, "predicted": None, "lift": None,
            "reason": "the 28 days after the joining week have not passed for anyone who joined "
            "in the period (2 members)",
        },
        period=APRIL,
    ),
    Case(
        "nobody joined in the period: no estimate",
        [ANN, BOB],
        {
            "method": "matched-baseline", "joiners": 0, "recent": 0, "without": 0, "matched": 0,
            "unmatched": 0, "controls": 0, "change": None, "predicted": None, "lift": None,
            "reason": "nobody in scope joined in the period",
        },
        period=FEBRUARY,
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_matched_baseline(container: Container, case: Case) -> None:
    build_joiners(container, case.customers)
    found = container.analytics.matched_baseline(case.period, case.filters, window_days=WINDOW)
    attribution = found.attribution()
    observed = {
        "method": attribution.method,
        "joiners": found.counts.joiners,
        "recent": found.counts.too_recent,
        "without": found.joiners_without_history,
        "matched": found.joiners_matched,
        "unmatched": found.joiners_unmatched,
        "controls": found.controls,
        "change": plain(found.joiners_change),
        "predicted": plain(found.predicted_change),
        "lift": plain(found.lift),
    }
    expected = dict(case.expected)
    reason = expected.pop("reason", None)
    assert observed == expected
    assert plain(attribution.revenue) == expected["lift"]
    if reason is not None:
        assert attribution.reason == reason
    assert found.window_days == WINDOW


def test_the_programme_roi_takes_the_matched_baseline(container: Container) -> None:
    """The second case (lift 65.00) against 31.00 of running costs in March: (65 - 31) / 31.
    No member has non-member sales to compare with, so only the matched baseline can say."""
    build_joiners(container, [ANN, BOB, CAT, DAN])
    costs = {
        "costs": [
            {"name": "platform", "kind": "programme", "amount": "31.00", "from": "2026-03-01",
             "to": "2026-03-31"}
        ]
    }  # fmt: skip
    service = AnalyticsService(
        container.ctx,
        container.analytics_store.warehouse,
        container.analytics_store,
        CostsDocument.model_validate(costs),
    )
    report = service.roi(MARCH, KpiFilters(), window_days=WINDOW)
    programme = report.programme
    assert (programme.method, plain(programme.attributable_revenue)) == (
        "matched-baseline",
        "65.00",
    )
    assert (str(programme.cost), plain(programme.roi)) == ("31.00", "1.0968")
    assert programme.attribution.reason == report.matched_baseline.reason
    assert programme.members_new == 2  # ann and dan; bob and cat joined in April
