"""Every test that touches storage runs on SQLite and on PostgreSQL.

``engine`` is parametrised over both; PostgreSQL must be reachable (``make
test`` starts it). Outside CI a missing PostgreSQL skips those tests with a
reason; in CI it fails them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.support.clock import FakeClock
from tests.support.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
    sqlite_copy,
    sqlite_template,
    truncate_all,
)
from tests.support.live_server import live_server

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def _postgres_url() -> Iterator[str]:
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not reachable at 127.0.0.1:5432 (make test starts it)")
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"loyalo_test_{os.getpid()}"
    url = create_postgres_database(name)
    yield url
    drop_postgres_database(name)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, _sqlite_template: Path) -> str:
    if request.param == "sqlite":
        return sqlite_copy(_sqlite_template, tmp_path)
    url: str = request.getfixturevalue("_postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue("_postgres_url")
    truncate_all(url)
    return url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def container(database_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Container]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, db_pool_size=5)
    built = build(settings, clock=clock)
    yield built
    built.close()


@dataclass(frozen=True)
class Api:
    """A client against a live server, with a key per role."""

    base_url: str
    admin: httpx.Client
    pos: httpx.Client
    app_key: str
    container: Container

    def as_member(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.app_key}", "X-Member-Token": token},
            timeout=30,
        )

    def anonymous(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    keys = {role: container.access.create_key(f"test {role}", role).token for role in Role}
    with live_server(build_app(container, scheduler=False)) as base_url:
        clients = {
            role: httpx.Client(
                base_url=base_url, headers={"Authorization": f"Bearer {keys[role]}"}, timeout=30
            )
            for role in (Role.ADMIN, Role.POS)
        }
        yield Api(base_url, clients[Role.ADMIN], clients[Role.POS], keys[Role.APP], container)
        for client in clients.values():
            client.close()
