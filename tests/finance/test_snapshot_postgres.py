"""On PostgreSQL the liability and the journal are read from one snapshot, while tills write."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.members.member import Member
from tests.programme.support import apply, buy, enrol
from tests.support.clock import FakeClock

WRITERS = 4
PURCHASES_EACH = 40


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, db_pool_size=WRITERS + 2)
    container = build(settings, clock=FakeClock())
    yield container
    container.close()


def test_the_read_is_one_repeatable_snapshot(pg: Container) -> None:
    with pg.ctx.uow() as uow:
        uow.finance.read(datetime.now(UTC))
        level = uow.finance._db.execute(text("show transaction_isolation")).scalar()  # type: ignore[attr-defined]
    assert level == "repeatable read"


def test_positions_read_during_purchases_always_reconcile(pg: Container) -> None:
    apply(pg, currency="PLN", timezone="UTC")
    members: list[Member] = [enrol(pg, email=f"w{i}@example.pl") for i in range(WRITERS)]
    failures: list[BaseException] = []

    def till(member: Member) -> None:
        try:
            for _ in range(PURCHASES_EACH):
                buy(pg, member, 1000)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=till, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    reads = 0
    while any(t.is_alive() for t in threads) or reads == 0:
        position = pg.finance.position()
        held = position.liability.liability.outstanding
        closing = position.liability.months[-1].closing if position.liability.months else 0
        assert closing == held.liability + held.debt
        assert sum(c.outstanding for c in position.breakage.forecast.cohorts) == held.liability
        reads += 1
    for thread in threads:
        thread.join()
    assert not failures
    final = pg.finance.liability().liability.outstanding
    assert final.liability == WRITERS * PURCHASES_EACH * 10
