"""Exports racing purchases on PostgreSQL, with real threads: every row exported exactly once.

Writers record purchases for a handful of members (so their journals grow under
contention) while another thread exports again and again; a last export after
they stop must hold each purchase and each posting once, and every member's
points as the database has them. PostgreSQL only: SQLite serialises writers.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from tests.analytics.support import sale
from tests.programme.support import apply, enrol
from tests.support.clock import FakeClock

WRITERS = 4
PURCHASES_EACH = 25
MEMBERS = 5


def export_while(racing: Container, write: Callable[[int], None], table: str) -> list[int]:
    """Exports again and again while ``WRITERS`` threads run ``write`` (each with its seed),
    then once more; the rows of ``table`` each export during the writes wrote."""
    done = threading.Event()
    exports: list[int] = []

    def export_until_done() -> None:
        while not done.is_set():
            exports.append(racing.analytics.export().rows.get(table, 0))

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        exporter = pool.submit(export_until_done)
        writers = [pool.submit(write, seed) for seed in range(WRITERS)]
        for writer in writers:
            writer.result()
        done.set()
        exporter.result()
    racing.analytics.export()
    return exports


@pytest.fixture
def racing(postgres_url: str, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path, database_url=postgres_url, db_pool_size=10)
    container = build(settings, clock=FakeClock())
    yield container
    container.close()


def test_exports_during_purchases_hold_every_row_once(racing: Container) -> None:
    apply(racing, currency="PLN", earning={"points": 1, "per": "1.00"})
    members = [enrol(racing) for _ in range(MEMBERS)]
    receipts = itertools.count()

    def write(seed: int) -> None:
        chance = random.Random(seed)
        for _ in range(PURCHASES_EACH):
            member = chance.choice(members)
            sale(racing, member, chance.randint(100, 9_999), "pos", "s1", f"R{next(receipts)}")

    exports = export_while(racing, write, "purchases")

    assert len(exports) >= 2  # the exports really ran during the writes
    store = racing.analytics_store
    (purchases,) = store.rows(
        "SELECT COUNT(*) AS n, COUNT(DISTINCT purchase_id) AS k FROM purchases"
    )
    assert purchases == {"n": WRITERS * PURCHASES_EACH, "k": WRITERS * PURCHASES_EACH}
    (postings,) = store.rows("SELECT COUNT(*) AS n, COUNT(DISTINCT posting_id) AS k FROM postings")
    with racing.engine.connect() as connection:
        in_database = connection.scalar(text("SELECT COUNT(*) FROM postings"))
        balances = dict(
            connection.execute(text("SELECT member_id, available FROM member_balances")).all()
        )
    assert postings == {"n": in_database, "k": in_database}
    wallets = store.rows(
        "SELECT member_id, SUM(points) AS points FROM postings WHERE account = 'wallet' "
        "GROUP BY member_id"
    )
    assert {row["member_id"]: row["points"] for row in wallets} == {
        member: points for member, points in balances.items() if points
    }


def test_exports_during_member_changes_end_with_every_member_as_stored(racing: Container) -> None:
    """Flags changed and tiers reached by purchases on other threads while exports run: the
    marker misses none, whatever order the transactions commit in."""
    levels = [
        {"id": "bronze", "name": "Bronze", "threshold": 0},
        {"id": "silver", "name": "Silver", "threshold": 20000},
    ]
    apply(
        racing,
        currency="PLN",
        earning={"points": 1, "per": "1.00"},
        tiers={"metric": "money_spent", "window": "lifetime", "levels": levels},
    )
    members = [enrol(racing) for _ in range(MEMBERS * 2)]
    receipts = itertools.count()

    def write(seed: int) -> None:
        chance = random.Random(seed)
        for _ in range(PURCHASES_EACH):
            member = chance.choice(members)
            if chance.random() < 0.5:
                flags = chance.sample(["vip", "b2b", "staff"], chance.randint(0, 2))
                with racing.ctx.uow() as uow:
                    racing.members.update(
                        uow, f"id:{member.member_id}", {"attributes": {"flags": flags}}
                    )
                    uow.commit()
            else:
                sale(
                    racing,
                    member,
                    chance.randint(1_000, 9_000_00),
                    "pos",
                    "s1",
                    f"T{next(receipts)}",
                )

    exports = export_while(racing, write, "members")

    assert len(exports) >= 2
    assert any(exports)  # the exports really rewrote members meanwhile
    with racing.engine.connect() as connection:
        stored = connection.execute(
            text(
                "SELECT m.member_id, COALESCE(t.tier_id, 'bronze'), m.attributes "
                "FROM members m LEFT JOIN member_tiers t ON t.member_id = m.member_id"
            )
        ).all()
    expected = {
        member: (
            tier,
            "".join(f"|{flag}" for flag in sorted(attributes.get("flags", [])))
            + ("|" if attributes.get("flags") else ""),
        )
        for member, tier, attributes in stored
    }
    rows = racing.analytics_store.rows("SELECT member_id, tier_id, flags FROM members")
    assert {r["member_id"]: (r["tier_id"], r["flags"]) for r in rows} == expected
    assert {tier for tier, _ in expected.values()} == {"bronze", "silver"}
