"""A deadlock PostgreSQL breaks is not the caller's problem: the aborted transaction wrote
nothing, and the idempotent runner runs it again once the winner has committed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from loyalo.application.idempotency import ATTEMPTS
from loyalo.application.ports import UnitOfWork
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.errors import DomainError
from tests.programme.support import enrol
from tests.support.clock import FakeClock


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path, clock: FakeClock) -> Any:
    container = build(
        Settings(data_dir=tmp_path, database_url=postgres_url, db_pool_size=5), clock=clock
    )
    yield container
    container.close()


def _refused(error: DomainError) -> tuple[int, dict[str, Any]]:  # pragma: no cover
    raise AssertionError(f"no business refusal expected: {error}")


def test_two_writes_locking_two_members_in_opposite_orders_both_succeed(pg: Container) -> None:
    first, second = enrol(pg, first_name="Ann").member_id, enrol(pg, first_name="Bob").member_id
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts: dict[str, int] = {"a": 0, "b": 0}
    outcomes: dict[str, Any] = {}

    def locking(name: str, order: tuple[str, str]) -> Any:
        def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
            attempts[name] += 1
            uow.ledger.lock(order[0])
            if attempts[name] == 1:
                both_hold_one.wait()  # each holds one member: the next lock closes a cycle
            uow.ledger.lock(order[1])
            return 200, {"done": name}

        return action

    def run(name: str, order: tuple[str, str]) -> None:
        try:
            outcomes[name] = pg.idempotent.run(
                "test", f"key-{name}", name, locking(name, order), _refused
            )
        except Exception as exc:
            outcomes[name] = exc

    threads = [
        threading.Thread(target=run, args=("a", (first, second))),
        threading.Thread(target=run, args=("b", (second, first))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert {name: getattr(o, "body", o) for name, o in outcomes.items()} == {
        "a": {"done": "a"},
        "b": {"done": "b"},
    }
    # The deadlock's loser ran again (on a loaded machine its retry may meet another transient
    # conflict before the winner commits; the runner allows ATTEMPTS in all), the winner once.
    fewer, more = sorted(attempts.values())
    assert fewer == 1
    assert 2 <= more <= ATTEMPTS
