"""Programme versions in the store: numbered, kept, compared, and the one in force cached."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError

from loyalo.adapters.programme_files import load_programme
from loyalo.application.programmes import checksum
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.errors import ErrorKind, ExpressionError, ProgrammeVersionNotFound
from loyalo.domain.programme.diff import render
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.referrals import ReferralPolicy
from loyalo.domain.programme.stored import StoredProgramme
from tests.support.clock import FakeClock

EXAMPLE = load_programme(Path(__file__).parents[2] / "programmes" / "example.yaml")


def variant(**changes: Any) -> ProgrammeDocument:
    return EXAMPLE.model_copy(update=changes)


def apply(
    container: Container, document: ProgrammeDocument, note: str | None = None
) -> tuple[StoredProgramme, bool]:
    with container.ctx.uow() as uow:
        result = container.programmes.apply(
            uow, document, source=f"# {document.name}", actor="tester", note=note
        )
        uow.commit()
    return result


def test_versions_count_from_one_and_an_identical_document_adds_none(
    container: Container, clock: FakeClock
) -> None:
    first, changed = apply(container, EXAMPLE, note="launch")
    assert (first.version, changed) == (1, True)
    clock.advance(timedelta(hours=1))
    again, changed = apply(container, EXAMPLE.model_copy(deep=True))
    assert (again.version, changed) == (1, False)
    assert again.note == "launch"
    second, changed = apply(container, variant(pending_days=30))
    assert (second.version, changed) == (2, True)

    with container.ctx.uow() as uow:
        versions = container.programmes.versions(uow)
        stored = container.programmes.get(uow, 1)
    assert [v.version for v in versions] == [2, 1]
    assert stored.document == EXAMPLE
    assert stored.source == "# Example café & shop"
    assert stored.checksum == checksum(EXAMPLE)
    assert len(stored.checksum) == 64
    assert stored.created_at == clock.now() - timedelta(hours=1)
    assert (stored.created_by, stored.note) == ("tester", "launch")
    assert versions[0].created_at == clock.now()


def test_an_unknown_version_is_not_found(container: Container) -> None:
    with container.ctx.uow() as uow, pytest.raises(ProgrammeVersionNotFound) as raised:
        container.programmes.get(uow, 3)
    assert raised.value.kind is ErrorKind.NOT_FOUND
    assert raised.value.slug == "programme-version-not-found"


def test_the_settings_are_in_force_until_a_version_is_applied(container: Container) -> None:
    with container.ctx.uow() as uow:
        before = container.programmes.active(uow)
    assert before.version == 0
    assert before.document == container.settings.default_programme()

    apply(container, EXAMPLE)
    with container.ctx.uow() as uow:
        after = container.programmes.active(uow)
    assert (after.version, after.document) == (1, EXAMPLE)


@contextmanager
def statements(container: Container) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(container.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(container.engine, "before_cursor_execute", record)


def test_the_programme_in_force_costs_one_query_once_parsed(container: Container) -> None:
    apply(container, EXAMPLE)
    with container.ctx.uow() as uow:
        container.programmes.active(uow)  # parses and caches version 1
        with statements(container) as seen:
            for _ in range(3):
                assert container.programmes.active(uow).version == 1
    queries = [s for s in seen if "programme_versions" in s]
    assert len(queries) == 3
    assert all("max(programme_versions.version)" in q for q in queries)

    apply(container, variant(pending_days=0))
    with container.ctx.uow() as uow:
        assert container.programmes.active(uow).document.pending_days == 0


def test_diff_between_versions_and_the_default(container: Container) -> None:
    apply(container, EXAMPLE)
    apply(container, variant(pending_days=30))
    with container.ctx.uow() as uow:
        assert render(container.programmes.diff(uow, 1, 2)) == ["~ pending_days: 14 -> 30"]
        assert render(container.programmes.diff(uow, 2, 2)) == ["(no changes)"]
        from_default = render(container.programmes.diff(uow, 0, 1))
        with pytest.raises(ProgrammeVersionNotFound):
            container.programmes.diff(uow, 1, 9)
    assert "~ name: Loyalty programme -> Example café & shop" in from_default
    assert "+ rule coffee-stamps (Café stamp card)" in from_default


def test_a_rule_that_does_not_compile_is_never_stored(container: Container) -> None:
    broken = EXAMPLE.rules[0].model_copy(update={"when": "basket.total >"})
    with pytest.raises(ExpressionError):
        apply(container, variant(rules=[broken]))
    with container.ctx.uow() as uow:
        assert container.programmes.versions(uow) == []


@pytest.mark.parametrize("statement", ["UPDATE {t} SET note = 'x'", "DELETE FROM {t}"])
def test_stored_versions_cannot_be_changed_or_deleted(container: Container, statement: str) -> None:
    apply(container, EXAMPLE)
    with pytest.raises(DBAPIError), container.engine.begin() as connection:
        connection.execute(text(statement.format(t="programme_versions")))
    with container.ctx.uow() as uow:
        assert [v.note for v in container.programmes.versions(uow)] == [None]


# --- two applies at the same moment (PostgreSQL: SQLite serialises writers) ---------------


def wait_until_blocked(url: str, timeout: float = 10) -> None:
    """Until some session of this database waits on a lock."""
    watcher = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        with watcher.connect() as connection:
            while time.monotonic() < deadline:
                waiting = connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
                if waiting:
                    return
                connection.rollback()
                time.sleep(0.02)
    finally:
        watcher.dispose()
    raise AssertionError("the second apply never waited for the first")


@pytest.fixture
def pg_container(postgres_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Container]:
    built = build(Settings(data_dir=tmp_path, database_url=postgres_url), clock=clock)
    yield built
    built.close()


@pytest.mark.parametrize(
    ("second", "expected"),
    [(variant(pending_days=30), [(2, True), 30]), (EXAMPLE, [(1, False), 14])],
    ids=["different documents: the next number", "the same document: unchanged"],
)
def test_a_concurrent_apply_takes_the_next_number(
    pg_container: Container, postgres_url: str, second: ProgrammeDocument, expected: list[Any]
) -> None:
    results: list[tuple[StoredProgramme, bool]] = []

    def apply_second() -> None:
        results.append(apply(pg_container, second))

    with pg_container.ctx.uow() as uow:
        pg_container.programmes.apply(uow, EXAMPLE, source="first", actor="a")
        racer = threading.Thread(target=apply_second)
        racer.start()
        wait_until_blocked(postgres_url)  # the second insert waits on version 1's key
        uow.commit()
    racer.join(timeout=30)

    (stored, changed), pending_days = results[0], expected[1]
    assert (stored.version, changed) == expected[0]
    with pg_container.ctx.uow() as uow:
        versions = pg_container.programmes.versions(uow)
        assert pg_container.programmes.active(uow).document.pending_days == pending_days
    assert [v.version for v in versions] == list(range(stored.version, 0, -1))


def test_a_stored_version_still_loads_when_a_check_added_later_would_refuse_it(
    container: Container,
) -> None:
    # A programme applied before referral rewards had to wait: first purchases reward at once
    section = ReferralPolicy.model_validate({"first_purchase": {"advocate": 100}})
    document = EXAMPLE.model_copy(update={"pending_days": 0, "referrals": section})
    apply(container, document)
    # It stays the programme in force: read back, it is what was applied
    with container.ctx.uow() as uow:
        stored = uow.programmes.latest()
    assert stored is not None
    assert stored.document == document
    # but it cannot be applied again as it is
    with pytest.raises(ValidationError, match="must wait for the friend's return window"):
        ProgrammeDocument.model_validate(stored.document.model_dump(mode="json", by_alias=True))
