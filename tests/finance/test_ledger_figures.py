"""Liability and breakage read from a ledger written through the services, on both engines,
compared with sums the test takes from the members' journals itself."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from loyalo.application.reservations import ReserveCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.finance.model import FinancialInputs
from loyalo.domain.ledger.accounts import AccountKind
from loyalo.domain.members.member import Member
from loyalo.domain.money import Money
from tests.api.helpers import assert_problem
from tests.conftest import Api
from tests.programme.support import apply, buy, enrol, give_back
from tests.support.clock import FakeClock


def reserve(container: Container, member: Member, points: int) -> str:
    with container.ctx.uow() as uow:
        result = container.reservations.reserve(
            uow, ReserveCommand(member=f"id:{member.member_id}", points=points, ttl_seconds=3600)
        )
        uow.commit()
    return result.hold.hold_id


def spend(container: Container, member: Member, points: int) -> None:
    hold_id = reserve(container, member, points)
    with container.ctx.uow() as uow:
        container.reservations.commit(uow, hold_id, None)
        uow.commit()


def system_sums(container: Container, members: list[Member]) -> Counter[AccountKind]:
    """Every posting on a system account, summed from each member's own journal."""
    sums: Counter[AccountKind] = Counter()
    with container.ctx.uow() as uow:
        for member in members:
            for stored in uow.ledger.history(member.member_id, 10_000, None):
                for posting in stored.entry.postings:
                    if not posting.account.is_member_account:
                        sums[posting.account] += posting.points
    return sums


def member_points(container: Container, members: list[Member]) -> int:
    with container.ctx.uow() as uow:
        balances = [uow.ledger.balance(m.member_id) for m in members]
    return sum(b.available + b.pending + b.held for b in balances)


def a_season(container: Container, clock: FakeClock) -> list[Member]:
    """March: a earns 100, b 200. April: a earns 50 and spends 120; b buys 30.00 and returns
    it. May: b's March points expire (lifetime of two months); b earns 80 and holds 20."""
    apply(container, currency="PLN", timezone="UTC", expiry={"policy": "lifetime", "months": 2})
    a = enrol(container, email="a@example.pl")
    b = enrol(container, email="b@example.pl")
    buy(container, a, 10000)
    buy(container, b, 20000)
    clock.advance(timedelta(days=31))
    buy(container, a, 5000)
    spend(container, a, 120)
    returned = buy(container, b, 3000)
    give_back(container, returned.purchase.purchase_id)
    clock.advance(timedelta(days=31))
    run_due(container.ctx)
    buy(container, b, 8000)
    reserve(container, b, 20)
    return [a, b]


def test_liability_and_monthly_flows(container: Container, clock: FakeClock) -> None:
    members = a_season(container, clock)
    report = container.finance.liability()
    sums = system_sums(container, members)

    assert report.liability.outstanding.liability == member_points(container, members) == 110
    assert report.liability.outstanding.held == 20
    assert report.liability.value == Money(1100, "PLN")  # 110 points at 10 points per 1.00
    assert report.totals.issued == -sums[AccountKind.ISSUANCE] == 430
    assert report.totals.redeemed == sums[AccountKind.REDEMPTION] == 120
    assert report.totals.expired == sums[AccountKind.BREAKAGE] == 200
    assert report.totals.breakage_rate == Decimal(200) / 430
    assert report.cost_of_redeemed == Money(1200, "PLN")
    assert [
        (m.month, m.issued, m.taken_back, m.redeemed, m.expired, m.closing) for m in report.months
    ] == [
        (date(2026, 3, 1), 300, 0, 0, 0, 300),
        (date(2026, 4, 1), 80, 30, 120, 0, 230),
        (date(2026, 5, 1), 80, 0, 0, 200, 110),
    ]
    assert verify_ledger(container.ctx).ok


def test_breakage_by_cohort(container: Container, clock: FakeClock) -> None:
    members = a_season(container, clock)
    report = container.finance.breakage()
    march, april, may = report.forecast.cohorts
    # March: a's 100 redeemed at age 1, b's 200 expired at age 2
    assert (march.issued, march.redeemed, march.expired, march.outstanding) == (300, 100, 200, 0)
    # April: a's 50, of which 20 redeemed at once; b's 30 taken back by the return
    assert (april.issued, april.redeemed, april.outstanding) == (50, 20, 30)
    assert (may.issued, may.outstanding) == (80, 80)
    assert sum(c.outstanding for c in report.forecast.cohorts) == member_points(container, members)
    assert march.never_redeemed == 200
    assert report.totals.breakage_rate == Decimal(200) / 430
    total = report.forecast
    assert total.issued == 430
    assert total.never_redeemed == sum(c.issued - c.ultimate_redeemed for c in total.cohorts)


def test_adjustments_and_an_empty_ledger(container: Container, clock: FakeClock) -> None:
    apply(container, currency="PLN", timezone="UTC")
    empty = container.finance.liability()
    assert (empty.liability.outstanding.liability, empty.months) == (0, ())
    assert empty.totals.breakage_rate == 0
    assert container.finance.breakage().forecast.cohorts == ()
    member = enrol(container, email="adj@example.pl")
    buy(container, member, 10000)
    for points in (25, -40):
        with container.ctx.uow() as uow:
            container.adjustments.adjust(
                uow, AdjustmentCommand(f"id:{member.member_id}", points, "support", "test")
            )
            uow.commit()
    report = container.finance.liability()
    assert report.totals.adjusted == -system_sums(container, [member])[AccountKind.ADJUSTMENT]
    assert report.totals.adjusted == -15
    assert report.months[-1].closing == member_points(container, [member]) == 85
    (march,) = container.finance.breakage().forecast.cohorts
    assert (march.issued, march.adjusted, march.outstanding) == (125, 40, 85)


def test_the_endpoints_for_admin_keys_only(api: Api, clock: FakeClock) -> None:
    a_season(api.container, clock)
    liability = api.admin.get("/v1/analytics/liability")
    assert liability.status_code == 200, liability.text
    body = liability.json()
    assert body["points"] == {
        "available": 90,
        "pending": 0,
        "held": 20,
        "debt": 0,
        "liability": 110,
    }
    assert body["value"] == {"amount": "11.00", "currency": "PLN"}
    assert body["totals"]["breakage_rate"] == "0.465116"  # 200 / 430
    assert [m["month"] for m in body["months"]] == ["2026-03", "2026-04", "2026-05"]

    breakage = api.admin.get("/v1/analytics/breakage")
    assert breakage.status_code == 200, breakage.text
    cohorts = breakage.json()["cohorts"]
    assert [(c["month"], c["issued"], c["outstanding"]) for c in cohorts] == [
        ("2026-03", 300, 0),
        ("2026-04", 50, 30),
        ("2026-05", 80, 80),
    ]
    assert cohorts[0]["never_redeemed"] == "200.00"
    assert breakage.json()["horizon_months"] == 36
    short = api.admin.get("/v1/analytics/breakage", params={"horizon_months": 1}).json()
    assert short["horizon_months"] == 1
    # May's 80 points, at age 0, get one month at the age-0 rate: 100 of 330 redeemed
    assert short["cohorts"][2]["ultimate_redeemed"] == "24.24"  # 80 x 100/330
    assert short["cohorts"][1]["never_redeemed"] == "30.00"  # April is past the horizon
    assert_problem(api.pos.get("/v1/analytics/liability"), 403, "forbidden")
    assert_problem(api.pos.get("/v1/analytics/breakage"), 403, "forbidden")


def test_the_position_gives_the_models_actuals(container: Container, clock: FakeClock) -> None:
    a_season(container, clock)
    position = container.finance.position()
    assert position.liability == container.finance.liability()
    assert position.breakage == container.finance.breakage()
    inputs = position.model_inputs(FinancialInputs(monthly_sales=Decimal(5000)))
    assert inputs.monthly_sales == 5000  # not the ledger's to say
    assert inputs.opening_liability == 110
    assert inputs.point_value == Decimal("0.1")  # 10 points pay 1.00
    assert inputs.earn_points_per_unit == 1
    assert inputs.redemption_rate == position.breakage.forecast.ultimate_redemption_rate
    assert 0 < inputs.redemption_rate < 1
