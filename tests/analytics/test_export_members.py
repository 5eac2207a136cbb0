"""The members dimension is rewritten only when it changed, and read only when it may have.

The store keeps a change marker of the rows members are exported from (migration
0016: a token on SQLite, the writing transaction on PostgreSQL), the marks keep it
with the programme's tier levels and a digest of the rows. The source is the real
one, subclassed to count how often every member is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.storage.analytics import SqlAnalyticsSource
from loyalo.adapters.storage.unit_of_work import SqlUnitOfWork
from loyalo.application.analytics.export import AnalyticsExporter
from loyalo.application.analytics.ports import ExportReport, Marks, Row
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from tests.analytics.support import START, sale
from tests.programme.support import apply, buy, enrol
from tests.support.clock import FakeClock

LEVELS = [
    {"id": "bronze", "name": "Bronze", "threshold": 0},
    {"id": "silver", "name": "Silver", "threshold": 10000},
]
TIERS = {"metric": "money_spent", "window": "lifetime", "levels": LEVELS}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


class CountingSource(SqlAnalyticsSource):
    def __init__(self, session: Session, reads: list[int]) -> None:
        super().__init__(session)
        self.reads = reads

    def members(self) -> Iterator[Row]:
        self.reads.append(1)
        return super().members()


@dataclass
class Exports:
    """Exports to the container's warehouse, counting how often the members are read."""

    container: Container

    def __post_init__(self) -> None:
        self.reads: list[int] = []
        ctx = replace(self.container.ctx, uow=self._uow)
        self.warehouse = self.container.analytics_store.warehouse
        self.exporter = AnalyticsExporter(ctx, self.warehouse)

    @contextmanager
    def _uow(self) -> Iterator[SqlUnitOfWork]:
        with self.container.ctx.uow() as uow:
            assert isinstance(uow, SqlUnitOfWork)
            uow.analytics = CountingSource(uow.session, self.reads)
            yield uow

    def run(self) -> tuple[ExportReport, int]:
        """One export, and how many times it read the members."""
        self.reads.clear()
        report = self.exporter.run()
        return report, len(self.reads)

    def members(self) -> dict[str, tuple[str | None, str]]:
        rows = self.container.analytics_store.rows("SELECT member_id, tier_id, flags FROM members")
        return {row["member_id"]: (row["tier_id"], row["flags"]) for row in rows}


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under the warehouse, with its modification time and size."""
    return {
        str(path.relative_to(root)): (path.stat().st_mtime_ns, path.stat().st_size)
        for path in root.rglob("*")
        if path.is_file()
    }


def _flags(container: Container, member: Member, attributes: dict[str, Any]) -> None:
    with container.ctx.uow() as uow:
        container.members.update(uow, f"id:{member.member_id}", {"attributes": attributes})
        uow.commit()


def test_an_export_with_nothing_new_reads_no_member_and_writes_no_file(
    container: Container, clock: FakeClock
) -> None:
    member = enrol(container)
    exports = Exports(container)
    first, reads = exports.run()
    assert (first.published, first.rows["members"], reads) == (True, 1, 1)
    root = exports.warehouse.root
    before = _files(root)
    clock.advance(timedelta(hours=1))

    idle, reads = exports.run()
    assert (idle.published, idle.rows, reads) == (False, {}, 0)
    assert _files(root) == before  # not a byte written, not even the lock file

    sale(container, member, 1_000, "pos", "s1", "N1")
    busy, reads = exports.run()
    assert (busy.published, set(busy.rows), reads) == (
        True,
        {"purchases", "purchase_lines", "postings"},
        0,
    )
    assert exports.members() == {member.member_id: (None, "")}


def test_freshness_moves_on_with_an_export_that_found_nothing_new(
    container: Container, clock: FakeClock
) -> None:
    enrol(container)
    container.analytics.export()
    clock.advance(timedelta(hours=2))
    idle = container.analytics.export()
    assert not idle.published
    assert container.analytics.freshness().exported_at == START + timedelta(hours=2)
    # the published state is unchanged: another process, which did not check, says so
    assert container.analytics_store.warehouse.state().exported_at == START


def test_each_change_a_member_row_shows_is_exported_and_nothing_else_rereads(
    container: Container,
) -> None:
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"}, tiers=TIERS)
    a, b = enrol(container), enrol(container)
    exports = Exports(container)
    exports.run()
    assert exports.members() == {a.member_id: ("bronze", ""), b.member_id: ("bronze", "")}

    buy(container, a, 15_000_00)  # silver at once
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (2, 1)
    assert exports.members()[a.member_id] == ("silver", "")

    buy(container, b, 10_00)  # stays bronze: the same rows, whatever the store wrote
    report, _ = exports.run()
    assert "members" not in report.rows
    buy(container, b, 20_00)  # the tier stored again as it was: not even read
    report, reads = exports.run()
    assert ("members" not in report.rows, reads) == (True, 0)

    _flags(container, b, {"flags": ["vip"]})
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (2, 1)
    assert exports.members()[b.member_id] == ("bronze", "|vip|")

    late = enrol(container)
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (3, 1)
    assert exports.members()[late.member_id] == ("bronze", "")


def test_a_programme_that_changes_the_first_level_rewrites_the_members(
    container: Container,
) -> None:
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"}, tiers=TIERS)
    a, b = enrol(container), enrol(container)
    buy(container, a, 15_000_00)
    exports = Exports(container)
    exports.run()

    apply(container, currency="PLN", earning={"points": 2, "per": "1.00"}, tiers=TIERS)
    report, reads = exports.run()  # a new version, the same levels
    assert (report.published, reads) == (False, 0)

    renamed = [{**LEVELS[0], "id": "basic", "name": "Basic"}, LEVELS[1]]
    apply(
        container,
        currency="PLN",
        earning={"points": 1, "per": "1.00"},
        tiers={**TIERS, "levels": renamed},
    )
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (2, 1)
    assert exports.members() == {a.member_id: ("silver", ""), b.member_id: ("basic", "")}


def test_an_attribute_the_export_does_not_show_rereads_once_and_writes_no_member_part(
    container: Container,
) -> None:
    member = enrol(container, attributes={"flags": ["vip"]})
    exports = Exports(container)
    exports.run()
    (before,) = exports.warehouse.files("members")

    _flags(container, member, {"flags": ["vip"], "note": "prefers e-mail"})
    report, reads = exports.run()
    assert (report.rows, reads) == ({}, 1)
    assert report.published  # the new marker, so that the next export need not read
    assert exports.warehouse.files("members") == [before]
    assert not list(exports.warehouse.root.glob("members/.staging-*"))

    report, reads = exports.run()
    assert (report.published, reads) == (False, 0)


def test_a_deleted_tier_is_seen_though_no_row_is_left_to_stamp(container: Container) -> None:
    apply(container, currency="PLN", earning={"points": 1, "per": "1.00"}, tiers=TIERS)
    member = enrol(container)
    buy(container, member, 15_000_00)
    exports = Exports(container)
    exports.run()
    assert exports.members() == {member.member_id: ("silver", "")}

    with container.engine.begin() as connection:  # no code path does it: an operator might
        connection.execute(text("DELETE FROM member_tiers"))
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (1, 1)
    assert exports.members() == {member.member_id: ("bronze", "")}


def test_marks_without_the_members_are_read_once_and_the_digest_spares_the_rewrite(
    container: Container,
) -> None:
    member = enrol(container, attributes={"flags": ["b2b"]})
    exports = Exports(container)
    exports.run()
    warehouse = exports.warehouse
    marks = warehouse.marks()
    assert marks.members is not None
    stranger = replace(marks.members, changes=replace(marks.members.changes, witness="other"))
    _republish(warehouse, replace(marks, members=stranger))

    report, reads = exports.run()  # a marker the store does not recognise: read, same rows
    assert (report.rows, reads, report.published) == ({}, 1, True)
    report, reads = exports.run()
    assert (report.published, reads) == (False, 0)

    _republish(warehouse, replace(warehouse.marks(), members=None))  # written before the marker
    report, reads = exports.run()
    assert (report.rows, reads) == ({"members": 1}, 1)
    assert exports.members() == {member.member_id: (None, "|b2b|")}


def _republish(warehouse: ParquetWarehouse, marks: Marks) -> None:
    """The same parts, published with other marks."""
    exported_at = warehouse.state().exported_at
    assert exported_at is not None
    warehouse.publish([], [], exported_at, marks)


def test_postgresql_a_change_committed_after_an_export_began_is_exported_once_it_commits(
    container: Container,
) -> None:
    if container.engine.dialect.name != "postgresql":
        pytest.skip("transactions committing out of order: PostgreSQL only")
    older, newer = enrol(container), enrol(container)
    exports = Exports(container)
    exports.run()
    with container.ctx.uow() as long:
        container.members.update(long, f"id:{older.member_id}", {"attributes": {"flags": ["a"]}})
        _flags(container, newer, {"flags": ["b"]})  # newer, committed at once

        report, reads = exports.run()
        assert (report.rows["members"], reads) == (2, 1)
        assert exports.members()[newer.member_id] == (None, "|b|")
        assert exports.members()[older.member_id] == (None, "")
        mark = exports.warehouse.marks().members
        assert mark is not None  # newer's row version is remembered (with any other row
        # version newer than the oldest transaction in the cluster, another test's perhaps)
        assert f"members:{newer.member_id}" in {v.partition("@")[0] for v in mark.changes.band}

        report, reads = exports.run()  # nothing committed since: the band is not a change
        assert (report.published, reads) == (False, 0)
        _flags(container, newer, {"flags": ["c"]})  # a row of the band, changed again
        report, reads = exports.run()
        assert (report.rows["members"], reads) == (2, 1)
        assert exports.members()[newer.member_id] == (None, "|c|")
        long.commit()
    report, reads = exports.run()
    assert (report.rows["members"], reads) == (2, 1)
    assert exports.members() == {older.member_id: (None, "|a|"), newer.member_id: (None, "|c|")}
    report, reads = exports.run()
    assert (report.published, reads) == (False, 0)
