"""The race helper puts every attempt in flight at once: 200 threads released together,
200 requests inside the server together. Each test waits on a barrier that only opens
when all 200 have arrived, so a helper, a client or a server that let fewer through
would time out here instead of quietly racing 40 at a time."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text

from loyalo.bootstrap.container import build
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.support.clock import FakeClock
from tests.support.live_server import live_server
from tests.support.races import (
    ATTEMPTS,
    MIN_CONNECTIONS,
    race,
    race_client,
    race_settings,
)

MEETING_TIMEOUT = 20.0  # seconds; all 200 arrive within a second or two when nothing holds them


def test_every_task_of_a_race_runs_at_the_same_time() -> None:
    meeting = threading.Barrier(ATTEMPTS, timeout=MEETING_TIMEOUT)
    assert sorted(race([meeting.wait] * ATTEMPTS)) == list(range(ATTEMPTS))


def test_a_race_reports_a_task_that_failed() -> None:
    def fails() -> int:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        race([lambda: 1, fails, lambda: 3])


def test_200_requests_are_inside_the_server_at_once_and_the_pool_serves_its_size(
    postgres_url: str, tmp_path: Path
) -> None:
    container = build(race_settings(postgres_url, tmp_path), clock=FakeClock())
    key = container.access.create_key("race admin", Role.ADMIN).token
    app = build_app(container, scheduler=False)
    connections = 2 * container.settings.db_pool_size  # the pool and its overflow
    requests = threading.Barrier(ATTEMPTS, timeout=MEETING_TIMEOUT)
    sessions = threading.Barrier(connections, timeout=MEETING_TIMEOUT)

    @app.get("/race/requests")
    def meet() -> int:  # synchronous, like every endpoint: it runs on a worker thread
        return requests.wait()

    @app.get("/race/sessions")
    def meet_in_the_database() -> int:
        with container.engine.connect() as connection:
            connection.execute(text("select 1"))
            return sessions.wait()

    try:
        with live_server(app) as base_url, race_client(base_url, key) as client:
            inside = race([partial(client.get, "/race/requests")] * ATTEMPTS)
            connected = race([partial(client.get, "/race/sessions")] * connections)
    finally:
        container.close()
    assert [r.status_code for r in (*inside, *connected)] == [200] * (ATTEMPTS + connections)
    assert sorted(r.json() for r in inside) == list(range(ATTEMPTS))
    assert sorted(r.json() for r in connected) == list(range(connections))
    assert MIN_CONNECTIONS <= connections <= ATTEMPTS
