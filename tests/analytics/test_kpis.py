"""Every KPI on a small history built by hand, against values worked out by hand.

The history (tests/analytics/support.py): members A (vip), B, C, E enrol on
1 January; D on 12 February. January: A 100.00 and B 50.00 at store s1 (pos).
February: A 40.00 at s1 (returned on the 15th), A 60.00 and C 30.00 on the web
(e1), D 25.00 at s2; B reviews a product (50 points, channel app); A redeems 30
points at s1; C is given 5 points. 1 March: A 10.00 (outside February).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from loyalo.application.analytics.service import AnalyticsService
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.costs import CostsDocument
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.errors import InvalidAnalyticsQuery
from tests.analytics.support import START, Shop, at, build_shop, move_to, plain, sale
from tests.programme.support import apply, buy, enrol
from tests.support.clock import FakeClock

FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def shop(container: Container) -> Shop:
    built = build_shop(container)
    container.analytics.export()
    return built


def _kpis(container: Container, filters: KpiFilters) -> dict[str, Any]:
    kpis = container.analytics.member_kpis(FEBRUARY, filters)
    counts = kpis.counts
    return {
        "members": (counts.members_total, counts.members_new),
        "active": (counts.active_members, counts.active_members_previous, counts.retained_members),
        "orders": (counts.orders, counts.repeat_members, counts.revenue_minor),
        "engaged": counts.engaged_members,
        "returns": (counts.returns, counts.returns_minor),
        "growth": plain(kpis.active_growth),
        "retention": plain(kpis.retention_rate),
        "repeat": plain(kpis.repeat_purchase_rate),
        "frequency": plain(kpis.purchase_frequency),
        "aov": plain(kpis.average_order_value),
        "per_member": plain(kpis.revenue_per_member),
        "engagement": plain(kpis.engagement_rate),
        "net": plain(kpis.net_revenue),
    }


MEMBER_KPIS = [
    (
        KpiFilters(),
        {
            "members": (5, 1),
            "active": (3, 2, 1),
            "orders": (4, 1, 15_500),
            "engaged": 4,
            "returns": (1, 4_000),
            "growth": "0.5000",
            "retention": "0.5000",
            "repeat": "0.3333",
            "frequency": "1.3333",
            "aov": "38.75",
            "per_member": "31.00",
            "engagement": "0.8000",
            "net": "115.00",
        },
    ),
    (
        KpiFilters(channel="web"),
        {
            "members": (5, 1),
            "active": (2, 0, 0),
            "orders": (2, 0, 9_000),
            "engaged": 2,
            "returns": (0, 0),
            "growth": None,
            "retention": None,
            "repeat": "0.0000",
            "frequency": "1.0000",
            "aov": "45.00",
            "per_member": "18.00",
            "engagement": "0.4000",
            "net": "90.00",
        },
    ),
    (
        KpiFilters(store="s1"),
        {
            "members": (5, 1),
            "active": (1, 2, 1),
            "orders": (1, 0, 4_000),
            "engaged": 1,
            "returns": (1, 4_000),
            "growth": "-0.5000",
            "retention": "0.5000",
            "repeat": "0.0000",
            "frequency": "1.0000",
            "aov": "40.00",
            "per_member": "8.00",
            "engagement": "0.2000",
            "net": "0.00",
        },
    ),
    (
        KpiFilters(flag="vip"),
        {
            "members": (1, 0),
            "active": (1, 1, 1),
            "orders": (2, 1, 10_000),
            "engaged": 1,
            "returns": (1, 4_000),
            "growth": "0.0000",
            "retention": "1.0000",
            "repeat": "1.0000",
            "frequency": "2.0000",
            "aov": "50.00",
            "per_member": "100.00",
            "engagement": "1.0000",
            "net": "60.00",
        },
    ),
    (
        KpiFilters(tier="gold"),
        {
            "members": (0, 0),
            "active": (0, 0, 0),
            "orders": (0, 0, 0),
            "engaged": 0,
            "returns": (0, 0),
            "growth": None,
            "retention": None,
            "repeat": None,
            "frequency": None,
            "aov": None,
            "per_member": None,
            "engagement": None,
            "net": "0.00",
        },
    ),
]


@pytest.mark.parametrize(("filters", "expected"), MEMBER_KPIS)
def test_member_kpis(
    container: Container, shop: Shop, filters: KpiFilters, expected: dict[str, Any]
) -> None:
    assert _kpis(container, filters) == expected


POINTS = [
    # filters, (issued, taken back, redeemed, expired, adjusted, outstanding), able, redeeming, rate
    (KpiFilters(), (205, 40, 30, 0, 5, 290), 4, 1, "0.2500"),
    (KpiFilters(channel="web"), (90, 0, 0, 0, 0, 90), 2, 0, "0.0000"),
    (KpiFilters(flag="vip"), (100, 40, 30, 0, 0, 130), 1, 1, "1.0000"),
    # entries at store s1: A's 40.00 sale and its return, A's redemption of 30 (B's review and
    # C's adjustment have no store); outstanding: January's 100 + 50, + 40 - 40 - 30 = 120.
    # Able: A and B held points at s1 on 1 February; A redeemed there.
    (KpiFilters(store="s1"), (40, 40, 30, 0, 0, 120), 2, 1, "0.5000"),
    (KpiFilters(tier="gold"), (0, 0, 0, 0, 0, 0), 0, 0, None),
]


@pytest.mark.parametrize(("filters", "totals", "able", "redeeming", "rate"), POINTS)
def test_points(
    container: Container,
    shop: Shop,
    filters: KpiFilters,
    totals: tuple[int, ...],
    able: int,
    redeeming: int,
    rate: str | None,
) -> None:
    points = container.analytics.points(FEBRUARY, filters)
    found = (
        points.issued,
        points.taken_back,
        points.redeemed,
        points.expired,
        points.adjusted,
        points.outstanding,
    )
    assert found == totals
    assert (points.members_able, points.members_redeeming) == (able, redeeming)
    assert plain(points.redemption_rate) == rate


def test_members_against_non_members_without_anonymous_sales(
    container: Container, shop: Shop
) -> None:
    sales = container.analytics.members_vs_non_members(FEBRUARY, KpiFilters())
    assert (sales.member_orders, sales.member_revenue_minor, sales.members_buying) == (
        4,
        15_500,
        3,
    )
    assert (sales.non_member_orders, sales.non_member_revenue_minor) == (0, 0)
    assert (plain(sales.member_aov), plain(sales.member_frequency)) == ("38.75", "1.3333")
    assert sales.non_member_aov is None


MEMBER_SALES = """
SELECT COUNT(*) AS orders, COALESCE(SUM(p.paid_minor), 0) AS revenue,
  COUNT(DISTINCT p.member_id) AS buying
FROM purchases p JOIN members m ON m.member_id = p.member_id
WHERE p.occurred_at >= TIMESTAMP '2026-02-01' AND p.occurred_at < TIMESTAMP '2026-03-01'
  AND {where}
"""


@pytest.mark.parametrize(
    ("filters", "where", "expected"),
    [
        (KpiFilters(), "1 = 1", (4, 15_500, 3)),
        (KpiFilters(channel="web"), "p.channel = 'web'", (2, 9_000, 2)),
        (KpiFilters(store="s1"), "p.store_id = 's1'", (1, 4_000, 1)),
        (KpiFilters(flag="vip"), "INSTR(m.flags, '|vip|') > 0", (2, 10_000, 1)),
        (KpiFilters(tier="gold"), "m.tier_id = 'gold'", (0, 0, 0)),
    ],
)
def test_the_members_side_of_members_against_non_members_is_their_activity(
    container: Container,
    shop: Shop,
    filters: KpiFilters,
    where: str,
    expected: tuple[int, int, int],
) -> None:
    """Members' orders, revenue and buyers come from the members' activity query, not a query
    of their own: they equal a plain count of the period's purchases under each filter."""
    (counted,) = container.analytics_store.rows(MEMBER_SALES.format(where=where))
    sales = container.analytics.members_vs_non_members(FEBRUARY, filters)
    kpis = container.analytics.member_kpis(FEBRUARY, filters).counts

    found = (sales.member_orders, sales.member_revenue_minor, sales.members_buying)
    assert found == (counted["orders"], counted["revenue"], counted["buying"]) == expected
    assert found == (kpis.orders, kpis.revenue_minor, kpis.active_members)


def test_spend_around_joining_covers_the_members_who_joined_in_the_period(
    container: Container, shop: Shop
) -> None:
    """D joined on 12 February and bought at once; nothing was recorded for D before. (Spend
    with a history before joining: tests/analytics/test_spend_around_joining.py.)"""
    found = container.analytics.spend_around_joining(FEBRUARY, KpiFilters(), window_days=90)
    assert [
        (r.member_id, r.orders_before, r.spend_before_minor, r.orders_after, r.spend_after_minor)
        for r in found.members
    ] == [(shop.d.member_id, 0, 0, 1, 2_500)]
    assert found.members[0].joined_at == datetime(2026, 2, 12, 10, 0, tzinfo=UTC)
    assert found.complete_windows == 0  # exported on 1 March: 90 days have not passed


def test_spend_around_joining_counts_the_windows_beyond_the_period(
    container: Container, clock: FakeClock
) -> None:
    """Jo joins on 3 February. Her windows reach back into January (and before) and on into
    April: what falls inside them counts, whether in the period or not; the rest does not."""
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"})
    move_to(container, at(2, 3))
    jo = enrol(container)
    move_to(container, at(6, 1))
    for when, minor in [
        (datetime(2025, 10, 30, tzinfo=UTC), 700),  # 96 days before joining: outside
        (at(1, 10), 1_000),  # 24 days before joining, before the period
        (at(2, 20), 2_000),  # after joining, in the period
        (at(4, 20), 3_000),  # 76 days after joining, after the period
        (at(5, 10), 500),  # 96 days after: outside
    ]:
        buy(container, jo, minor, when)
    container.analytics.export()

    spend = container.analytics.spend_around_joining(FEBRUARY, KpiFilters(), window_days=90)

    (found,) = spend.members
    assert found.member_id == jo.member_id
    assert (found.orders_before, found.spend_before_minor) == (1, 1_000)
    assert (found.orders_after, found.spend_after_minor) == (2, 5_000)


COSTS = {
    "costs": [
        {"name": "platform", "kind": "programme", "amount": "280.00", "from": "2026-02-01",
         "to": "2026-02-28"},
        {"name": "ads", "kind": "acquisition", "amount": "50.00", "from": "2026-02-01",
         "to": "2026-03-02"},
        {"name": "review drive", "kind": "campaign", "rule": "product-review",
         "amount": "100.00", "from": "2026-01-01", "to": "2026-03-31"},
    ]
}  # fmt: skip


def test_roi_of_the_programme_and_of_each_campaign(container: Container, shop: Shop) -> None:
    service = AnalyticsService(
        container.ctx,
        container.analytics_store.warehouse,
        container.analytics_store,
        CostsDocument.model_validate(COSTS),
    )
    report = service.roi(FEBRUARY, KpiFilters())
    programme = report.programme
    # 280.00 whole; 50.00 over 30 days, 28 of them in February; 30 points redeemed = 3.00
    assert (str(programme.running_cost), str(programme.acquisition_cost)) == ("280.00", "46.67")
    assert (str(programme.points_cost), str(programme.cost)) == ("3.00", "329.67")
    assert plain(programme.cost_per_acquired_member) == "46.67"
    assert programme.attributable_revenue is None  # D has no history before; no non-members
    assert programme.method is None
    assert programme.attribution.reason == (
        "no estimate: matched-baseline not used: the 90 days after the joining week have not "
        "passed for anyone who joined in the period (1 member); aov-lift not used: no "
        "non-member sales in the period (only imported history holds them)"
    )
    assert programme.roi is None
    campaigns = {c.rule_id: c for c in report.campaigns}
    assert sorted(campaigns) == ["base-rate", "product-review"]
    base = campaigns["base-rate"]
    assert (base.points_issued, base.members, base.purchases) == (155, 3, 4)
    assert (str(base.revenue), str(base.cost), plain(base.roi)) == ("155.00", "15.50", "9.0000")
    review = campaigns["product-review"]
    assert (review.points_issued, review.members, review.purchases) == (50, 1, 0)
    # 100.00 over the 90 days of January to March: 28 of them in February
    assert str(review.configured_cost) == "31.11"
    assert (str(review.cost), plain(review.roi)) == ("36.11", "-1.0000")


def test_roi_under_a_filter(container: Container, shop: Shop) -> None:
    """Only A is a vip: the costs are the programme's whole, the points and campaigns A's."""
    service = AnalyticsService(
        container.ctx,
        container.analytics_store.warehouse,
        container.analytics_store,
        CostsDocument.model_validate(COSTS),
    )
    report = service.roi(FEBRUARY, KpiFilters(flag="vip"))
    programme = report.programme
    # A redeemed 30 points: 3.00; nobody in scope joined in February
    assert (str(programme.points_cost), str(programme.cost)) == ("3.00", "329.67")
    assert (programme.members_new, programme.cost_per_acquired_member) == (0, None)
    assert (programme.method, programme.roi) == (None, None)
    assert programme.attribution.reason.startswith(
        "no estimate: matched-baseline not used: nobody in scope joined in the period; "
    )
    campaigns = {c.rule_id: c for c in report.campaigns}
    base = campaigns["base-rate"]  # A's 40.00 at s1 and 60.00 on the web
    assert (base.points_issued, base.members, base.purchases, str(base.revenue)) == (
        100,
        1,
        2,
        "100.00",
    )
    assert (str(base.cost), plain(base.roi)) == ("10.00", "9.0000")
    review = campaigns["product-review"]  # B's review is outside the filter; its cost is not
    assert (review.points_issued, str(review.cost), plain(review.roi)) == (0, "31.11", "-1.0000")


def test_the_export_is_what_the_kpis_read_nothing_newer(container: Container, shop: Shop) -> None:
    """A purchase recorded after the export is invisible until the next export."""
    before = container.analytics.member_kpis(
        Period(date(2026, 3, 1), date(2026, 3, 31)), KpiFilters()
    )
    assert before.counts.orders == 1
    sale(container, shop.b, 700, "pos", "s1", "M2")
    march = Period(date(2026, 3, 1), date(2026, 3, 31))
    assert container.analytics.member_kpis(march, KpiFilters()).counts.orders == 1
    container.analytics.export()
    assert container.analytics.member_kpis(march, KpiFilters()).counts.orders == 2


@pytest.mark.parametrize(
    "make",
    [
        lambda: Period(date(2026, 2, 2), date(2026, 2, 1)),
        lambda: Period(date(2000, 1, 1), date(2026, 2, 1)),
        lambda: KpiFilters(channel="pos' OR '1'='1"),
        lambda: KpiFilters(flag="a\\b"),
    ],
)
def test_a_bad_period_or_filter_is_refused(make: Any) -> None:
    with pytest.raises(InvalidAnalyticsQuery):
        make()


def test_the_tier_filter_reads_the_stored_tier_or_the_first_level(container: Container) -> None:
    """Two members buy 600.00 and 20.00: the first is upgraded to silver (stored), the second
    holds bronze (the first level, never stored); a third never buys."""
    apply(
        container,
        currency="PLN",
        earning={"points": 1, "per": "1.00"},
        tiers={
            "metric": "points_earned",
            "window": "rolling",
            "months": 12,
            "levels": [
                {"id": "bronze", "name": "Bronze", "threshold": 0},
                {"id": "silver", "name": "Silver", "threshold": 500},
            ],
        },
    )
    big, small, _ = enrol(container), enrol(container), enrol(container)
    move_to(container, at(1, 10))
    sale(container, big, 60_000, "pos", "s1", "T1")
    sale(container, small, 2_000, "pos", "s1", "T2")
    container.analytics.export()
    january = Period(date(2026, 1, 1), date(2026, 1, 31))
    found = {
        tier: container.analytics.member_kpis(january, KpiFilters(tier=tier)).counts
        for tier in ("bronze", "silver")
    }
    assert (found["silver"].members_total, found["silver"].revenue_minor) == (1, 60_000)
    assert (found["bronze"].members_total, found["bronze"].revenue_minor) == (2, 2_000)
    points = {
        tier: container.analytics.points(january, KpiFilters(tier=tier))
        for tier in ("bronze", "silver")
    }
    # 1 point per 1.00: 600 for the silver member, 20 for the bronze one; nothing redeemed
    assert [
        (p.issued, p.outstanding, p.members_able, p.members_redeeming) for p in points.values()
    ] == [
        (20, 20, 1, 0),
        (600, 600, 1, 0),
    ]
    assert points["silver"].redemption_rate == Decimal("0.0000")
