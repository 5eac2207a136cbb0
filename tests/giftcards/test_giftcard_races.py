"""Purchases racing on gift cards, on PostgreSQL, through the real HTTP API.

20 tills released at once each pay 30.00 with one card of 100.00: the card's row
lock lets exactly three pay in full; the others are refused as a whole (no
purchase, no points), the card ends at exactly 10.00 and adds up. Two cards
named in opposite orders by concurrent sales never deadlock: they are locked in
code order.
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from loyalo.application.audit import verify_ledger
from loyalo.application.giftcards.audit import verify_gift_cards
from loyalo.bootstrap.container import Container
from tests.api.helpers import enrol
from tests.concurrency.test_postgres_races import race
from tests.giftcards.support import card, issue, paid_with
from tests.wallet.test_wallet_races import live  # noqa: F401 (the fixture)

TILLS = 20


def _members(client: httpx.Client, count: int) -> list[str]:
    return [str(enrol(client, email=f"till{i}@example.pl")["member_id"]) for i in range(count)]


def _sales(client: httpx.Client, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    return race([partial(client.post, "/v1/purchases", json=body) for body in bodies])


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = int(connection.execute(text(sql)).scalar_one())
    engine.dispose()
    return value


def _assert_sound(container: Container) -> None:
    assert verify_gift_cards(container.ctx).ok
    assert verify_ledger(container.ctx).ok


def test_twenty_sales_of_30_00_on_a_100_00_card_asked_exactly_succeed_three_times(
    live: tuple[Container, httpx.Client], postgres_url: str
) -> None:
    container, client = live
    code = issue(client, "100.00")
    members = _members(client, TILLS)
    tender = {"code": code, "amount": "30.00"}

    responses = _sales(client, [paid_with(m, [("A", 1, "30.00")], tender) for m in members])

    assert Counter(r.status_code for r in responses) == {201: 3, 409: TILLS - 3}
    refused = {r.json()["type"] for r in responses if r.status_code == 409}
    assert refused == {"/problems/insufficient-gift-card-balance"}
    assert all(r.json()["left_to_pay"] == "0.00" for r in responses if r.status_code == 201)
    statement = card(client, code)
    assert statement["balance"] == "10.00"
    assert [m["kind"] for m in statement["movements"]] == ["issue", "redeem", "redeem", "redeem"]
    assert _count(postgres_url, "select count(*) from purchases") == 3
    assert _count(postgres_url, "select coalesce(sum(available), 0) from member_balances") == 90
    _assert_sound(container)


def test_asked_for_as_much_as_it_can_the_card_pays_three_in_full_and_one_in_part(
    live: tuple[Container, httpx.Client], postgres_url: str
) -> None:
    container, client = live
    code = issue(client, "100.00")
    members = _members(client, TILLS)

    responses = _sales(client, [paid_with(m, [("A", 1, "30.00")], code) for m in members])

    assert Counter(r.status_code for r in responses) == {201: 4, 409: TILLS - 4}
    paid = sorted(r.json()["gift_cards"][0]["amount"] for r in responses if r.status_code == 201)
    assert paid == ["10.00", "30.00", "30.00", "30.00"]
    left = sorted(r.json()["left_to_pay"] for r in responses if r.status_code == 201)
    assert left == ["0.00", "0.00", "0.00", "20.00"]
    assert card(client, code)["balance"] == "0.00"
    # points on the goods: 30 for each recorded sale, the partly paid one included
    assert _count(postgres_url, "select coalesce(sum(available), 0) from member_balances") == 120
    _assert_sound(container)


def test_two_cards_named_in_opposite_orders_never_deadlock(
    live: tuple[Container, httpx.Client],
) -> None:
    container, client = live
    first, second = issue(client, "100.00"), issue(client, "100.00")
    members = _members(client, TILLS)
    forward = [{"code": first, "amount": "1.00"}, {"code": second, "amount": "1.00"}]
    backward = forward[::-1]
    bodies = [
        paid_with(m, [("A", 1, "2.00")], *(forward if i % 2 else backward))
        for i, m in enumerate(members)
    ]

    responses = _sales(client, bodies)

    assert Counter(r.status_code for r in responses) == {201: TILLS}
    assert card(client, first)["balance"] == card(client, second)["balance"] == "80.00"
    _assert_sound(container)
