"""The CLV service on the transactional store (SQLite and PostgreSQL): what each purchase is
worth after discounts and returns, and the ranking against a computation made here."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from loyalo.application.analytics.clv import ClvQuery
from loyalo.bootstrap.container import Container
from loyalo.domain.analytics.clv.summary import summarise
from loyalo.domain.analytics.clv.value import fit_model, score
from loyalo.domain.errors import MemberNotFound, ModelNotEstimable
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.programme.support import apply, buy, buy_lines, enrol, give_back

TEN_PERCENT_OFF = {"id": "ten", "name": "10% off", "effect": {"type": "discount", "percent": 10}}


def _programme(container: Container, *, discount: bool = False) -> None:
    apply(
        container,
        currency="PLN",
        timezone="Europe/Warsaw",
        earning={"points": 1},
        rules=[TEN_PERCENT_OFF] if discount else [],
    )


def _at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def _values(container: Container) -> list[tuple[str, datetime, int]]:
    with container.ctx.uow() as uow:
        values = uow.clv_purchases.purchase_values()
        return [(v.member_id, v.occurred_at, v.amount_minor) for v in values]


def test_each_purchase_is_worth_what_was_paid_less_the_paid_share_returned(
    container: Container,
) -> None:
    _programme(container, discount=True)
    ann = enrol(container, email="ann@example.pl")
    whole = buy(container, ann, 100_00, at=_at("2026-01-10"))
    halved = buy_lines(container, ann, Line("TWO", 2, 50_00), at=_at("2026-01-20"))
    gone = buy(container, ann, 30_00, at=_at("2026-02-01"))
    give_back(container, halved.purchase.purchase_id, ("TWO", 1))
    give_back(container, gone.purchase.purchase_id)

    values = _values(container)

    assert whole.purchase.discount_minor == 10_00
    assert [(v[1], v[2]) for v in values] == [
        (_at("2026-01-10"), 90_00),  # 100.00 less 10 % off
        (_at("2026-01-20"), 45_00),  # 90.00 paid, half the goods back: 45.00 back
    ]  # the purchase returned whole is worth nothing and left out
    assert {v[0] for v in values} == {ann.member_id}


def _seed(container: Container, members: int = 40) -> dict[str, list[tuple[date, float]]]:
    """A deterministic history; returns what each member bought, by Warsaw day."""
    rng = random.Random(7)
    bought: dict[str, list[tuple[date, float]]] = {}
    for n in range(members):
        member = enrol(container, email=f"m{n}@example.pl")
        first = _at("2025-06-01") + timedelta(
            days=rng.randrange(0, 120), hours=rng.randrange(0, 12)
        )
        days = sorted({rng.randrange(0, 270) for _ in range(rng.randrange(0, 6))} - {0})
        for offset in [0, *days]:
            at = first + timedelta(days=offset)
            if at >= container.ctx.clock.now():
                continue
            minor = rng.randrange(5_00, 200_00)
            buy(container, member, minor, at=at)
            bought.setdefault(member.member_id, []).append((at.date(), minor / 100))
    return bought


def _late_evening_purchases(container: Container) -> Member:
    """23:30 UTC on 10 January is 00:30 on the 11th in Warsaw: one day with the 10:00 one."""
    late = enrol(container, email="late@example.pl")
    buy(container, late, 10_00, at=_at("2026-01-10", 23, 30))
    buy(container, late, 20_00, at=_at("2026-01-11", 10))
    buy(container, late, 5_00, at=_at("2026-02-11", 10))
    return late


def test_the_ranking_is_the_models_on_the_history_computed_here(container: Container) -> None:
    _programme(container)
    bought = _seed(container)
    late = _late_evening_purchases(container)
    rows = [(m, day, amount) for m, days in bought.items() for day, amount in days]
    rows += [(late.member_id, date(2026, 1, 11), 30.0), (late.member_id, date(2026, 2, 11), 5.0)]
    today = date(2026, 3, 1)
    summary = summarise(rows, period_end=today)
    model = fit_model(summary)
    expected = score(model, summary, horizon_months=6, monthly_discount=0.02)
    values = zip(summary.customer_ids, expected.value, strict=True)
    by_member = {member_id: Decimal(f"{value:.2f}") for member_id, value in values}

    with container.ctx.uow() as uow:
        page = container.clv.ranking(uow, ClvQuery(6, 0.02), limit=500)
        second = container.clv.ranking(uow, ClvQuery(6, 0.02), limit=5, offset=5)

    assert page.total == len(summary) == len(bought) + 1
    assert page.fit.as_of == today
    assert page.fit.purchases == model.purchases.parameters
    assert page.fit.spend == model.spend.parameters
    assert {m.member_id: m.clv for m in page.members} == pytest.approx(
        by_member, abs=Decimal("0.01")
    )
    assert [m.clv for m in page.members] == sorted((m.clv for m in page.members), reverse=True)
    assert second.members == page.members[5:10]
    found = next(m for m in page.members if m.member_id == late.member_id)
    assert found.repeat_purchases == 1  # the two purchases of one Warsaw day count once
    assert found.recency_weeks == pytest.approx(31 / 7)


def test_one_member_and_a_member_who_bought_nothing(container: Container) -> None:
    _programme(container)
    _seed(container, members=20)
    late = _late_evening_purchases(container)
    idle = enrol(container, email="idle@example.pl")

    with container.ctx.uow() as uow:
        ranking = container.clv.ranking(uow, ClvQuery(), limit=500)
        mine = container.clv.of_member(uow, f"id:{late.member_id}", ClvQuery())
        nothing = container.clv.of_member(uow, "idle@example.pl", ClvQuery())
        with pytest.raises(MemberNotFound):
            container.clv.of_member(uow, "nobody@example.pl", ClvQuery())

    assert mine.member == next(m for m in ranking.members if m.member_id == late.member_id)
    assert (nothing.member_id, nothing.member) == (idle.member_id, None)
    assert idle.member_id not in {m.member_id for m in ranking.members}


def test_no_history_cannot_be_modelled(container: Container) -> None:
    _programme(container)
    enrol(container, email="alone@example.pl")
    with container.ctx.uow() as uow, pytest.raises(ModelNotEstimable):
        container.clv.ranking(uow, ClvQuery(), limit=10)
