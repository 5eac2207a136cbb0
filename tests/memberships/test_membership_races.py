"""Membership payments racing on PostgreSQL, through the real HTTP API, with real threads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest

from loyalo.bootstrap.container import build
from loyalo.bootstrap.settings import Settings
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.api.helpers import enrol
from tests.api.test_rules_at_the_till import apply
from tests.concurrency.test_postgres_races import race
from tests.memberships.support import PROGRAMME, memberships, pay, payment
from tests.support.clock import FakeClock
from tests.support.live_server import live_server
from tests.support.races import race_client

THREADS = 20


@pytest.fixture
def till(postgres_url: str, tmp_path: Path) -> Iterator[httpx.Client]:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, db_pool_size=THREADS + 5)
    container = build(settings, clock=FakeClock())
    key = container.access.create_key("race admin", Role.ADMIN).token
    try:
        with (
            live_server(build_app(container, scheduler=False)) as base_url,
            race_client(base_url, key) as client,
        ):
            apply(client, PROGRAMME)
            yield client
    finally:
        container.close()


def test_one_payment_sent_at_once_by_many_tills_is_recorded_once(till: httpx.Client) -> None:
    member_id = enrol(till, email="race@example.pl")["member_id"]
    body = payment(reference="PAY-RACE")

    responses = race([partial(pay, till, member_id, body)] * THREADS)

    assert Counter(r.status_code for r in responses) == {201: 1, 200: THREADS - 1}
    view = memberships(till, member_id)
    assert len(view["history"]) == 1
    assert view["active"]["periods_paid"] == 1


def test_payments_of_one_member_at_once_each_add_one_period(till: httpx.Client) -> None:
    member_id = enrol(till, email="race@example.pl")["member_id"]
    bodies = [payment(reference=f"PAY-{n}") for n in range(THREADS)]

    responses = race([partial(pay, till, member_id, body) for body in bodies])

    assert Counter(r.status_code for r in responses) == {201: THREADS}
    assert sorted(r.json()["change"] for r in responses) == ["activated"] + ["renewed"] * 19
    view = memberships(till, member_id)
    assert view["active"]["periods_paid"] == THREADS
    assert view["active"]["current_period"] == {"starts_on": "2027-10-01", "ends_on": "2027-11-01"}
    assert len(view["history"]) == THREADS


def test_one_payment_reference_claimed_for_many_members_at_once_goes_to_one(
    till: httpx.Client,
) -> None:
    members = [enrol(till, email=f"m{n}@example.pl")["member_id"] for n in range(10)]
    body = payment(reference="PAY-SHARED")

    responses = race([partial(pay, till, member_id, body) for member_id in members])

    assert Counter(r.status_code for r in responses) == {201: 1, 409: 9}
    refused = [r.json()["type"] for r in responses if r.status_code == 409]
    assert set(refused) == {"/problems/payment-reference-conflict"}
    held = [m for m in members if memberships(till, m)["history"]]
    assert len(held) == 1
