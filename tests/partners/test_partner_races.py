"""Partners' tills racing on PostgreSQL, through the real API with real threads:
each sale earns once, each hold resolves once, nobody reaches another partner's
hold, and the settlement still equals the ledger's own entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import build
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.api.helpers import balance, enrol, purchase_body
from tests.concurrency.test_postgres_races import LiveApi, assert_ledger_invariants
from tests.partners.support import ledger_totals, minor, partner_body
from tests.support.clock import FakeClock
from tests.support.live_server import live_server
from tests.support.races import race, race_client, race_settings

DAY = {"from": "2026-03-01", "to": "2026-03-01"}


@pytest.fixture
def live(postgres_url: str, tmp_path: Path) -> Iterator[LiveApi]:
    container = build(race_settings(postgres_url, tmp_path), clock=FakeClock())
    admin_key = container.access.create_key("race admin", Role.ADMIN).token
    db = create_engine(postgres_url)
    try:
        with (
            live_server(build_app(container, scheduler=False)) as base_url,
            race_client(base_url, admin_key) as admin,
        ):
            yield LiveApi(container, db, admin, admin)
    finally:
        db.dispose()
        container.close()


def _partner(live: LiveApi, partner_id: str, earn: str) -> httpx.Client:
    body = partner_body(partner_id, earn=earn, issue="0.0125", redeem="0.0333")
    assert live.admin.post("/v1/partners", json=body).status_code == 201
    key = live.admin.post(f"/v1/partners/{partner_id}/keys", json={"name": "till"}).json()["key"]
    return race_client(str(live.admin.base_url), key)


def test_partner_tills_racing(live: LiveApi) -> None:
    fuel, books = _partner(live, "fuelco", "2"), _partner(live, "bookco", "3")
    member = str(enrol(live.admin, email="race@example.pl")["member_id"])
    first = fuel.post(
        "/v1/partner/purchases", json=purchase_body(member, [("A", 1, "100.00")], receipt="F-0")
    )
    assert first.status_code == 201, first.text
    hold = fuel.post(
        "/v1/partner/reservations", json={"member": member, "points": 150, "store_id": "st"}
    ).json()["reservation_id"]

    def sale(client: httpx.Client, receipt: str) -> Callable[[], int]:
        body = purchase_body(member, [("A", 1, "3.33")], receipt=receipt)
        return lambda: client.post("/v1/partner/purchases", json=body).status_code

    def commit(client: httpx.Client) -> Callable[[], int]:
        return lambda: client.post(f"/v1/partner/reservations/{hold}/commit").status_code

    tasks = [sale(fuel, f"F-{i % 10 + 1}") for i in range(20)]  # 10 receipts, each sent twice
    tasks += [sale(books, f"B-{i}") for i in range(10)]
    tasks += [commit(fuel) for _ in range(10)] + [commit(books) for _ in range(10)]

    statuses = race(tasks)

    assert Counter(statuses[:20]) == Counter({201: 10, 200: 10})  # each receipt earns once
    assert Counter(statuses[20:30]) == Counter({201: 10})
    assert Counter(statuses[30:40]) == Counter({200: 1, 409: 9})  # the hold resolves once
    assert Counter(statuses[40:]) == Counter({404: 10})  # not bookco's hold
    # 200 + 10 x 6 points at fuelco, 10 x 9 at bookco, 150 spent
    assert balance(live.admin, member) == {"available": 200, "pending": 0, "held": 0, "debt": 0}
    for partner_id, client, issued, redeemed in (
        ("fuelco", fuel, 260, 150),
        ("bookco", books, 90, 0),
    ):
        settlement = client.get("/v1/partner/settlement", params=DAY).json()
        ledger = ledger_totals(live.container.engine, partner_id)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        end = start + timedelta(days=1)
        assert (settlement["points_issued"], settlement["points_redeemed"]) == (issued, redeemed)
        assert ledger.points("issued", start, end) == issued
        assert ledger.points("redeemed", start, end) == redeemed
        assert settlement["owed_by_partner"] == minor(
            ledger.amount("issued", start, end, lambda _: Decimal("0.0125"))
        )
        assert settlement["owed_to_partner"] == minor(
            ledger.amount("redeemed", start, end, lambda _: Decimal("0.0333"))
        )
        kinds = Counter(t["kind"] for t in client.get("/v1/partner/transactions").json()["items"])
        assert kinds == (
            Counter({"purchase": 11, "hold": 1, "commit": 1})
            if partner_id == "fuelco"
            else Counter({"purchase": 10})
        )
    assert_ledger_invariants(live)
    assert verify_ledger(live.container.ctx).ok
    fuel.close()
    books.close()
