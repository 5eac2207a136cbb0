"""Spends racing on one wallet, on PostgreSQL, through the real HTTP API.

50 threads released at once each pay 1.00 from a wallet holding 10.00: exactly
ten succeed, the rest are refused with ``/problems/insufficient-wallet``, the
wallet ends at zero and every wallet entry still sums to zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.api.helpers import enrol, purchase_body
from tests.support.clock import FakeClock
from tests.support.live_server import live_server
from tests.support.races import race, race_client, race_settings
from tests.wallet.support import WALLET_CASHBACK

SPENDS = 50


@pytest.fixture
def live(postgres_url: str, tmp_path: Path) -> Iterator[tuple[Container, httpx.Client]]:
    container = build(race_settings(postgres_url, tmp_path), clock=FakeClock())
    key = container.access.create_key("race admin", Role.ADMIN).token
    try:
        with (
            live_server(build_app(container, scheduler=False)) as base_url,
            race_client(base_url, key) as client,
        ):
            yield container, client
    finally:
        container.close()


def test_fifty_spends_of_1_00_against_10_00_succeed_exactly_ten_times(
    live: tuple[Container, httpx.Client], postgres_url: str
) -> None:
    container, client = live
    assert client.put("/v1/programme", json={"name": "W", **WALLET_CASHBACK}).status_code < 300
    member_id = str(enrol(client, email="race@example.pl")["member_id"])
    sale = client.post("/v1/purchases", json=purchase_body(f"id:{member_id}", [("A", 1, "200.00")]))
    assert sale.status_code == 201, sale.text
    url = f"/v1/members/id:{member_id}/wallet/spend"
    assert client.get(f"/v1/members/id:{member_id}/balance").json()["wallet_balance"] == "10.00"

    def pay(index: int) -> httpx.Response:
        return client.post(url, json={"amount": "1.00", "reference": f"pay-{index}"})

    responses = race([lambda i=i: pay(i) for i in range(SPENDS)])

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 10, 409: SPENDS - 10}
    refused = {r.json()["type"] for r in responses if r.status_code == 409}
    assert refused == {"/problems/insufficient-wallet"}
    assert client.get(f"/v1/members/id:{member_id}/balance").json()["wallet_balance"] == "0.00"
    db = create_engine(postgres_url)
    with db.connect() as connection:
        unbalanced = connection.execute(
            text(
                "select entry_id from wallet_postings group by entry_id "
                "having sum(amount_minor) <> 0"
            )
        ).all()
        spends = connection.execute(
            text("select count(*) from wallet_entries where kind = 'spend'")
        ).scalar_one()
    db.dispose()
    assert unbalanced == []
    assert spends == 10
    assert verify_ledger(container.ctx).ok
