"""A live server whose settings hold the test's own pass certificate and Google key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Role
from tests.conftest import Api
from tests.passes.keys import KEY_PASSWORD, PASS_TYPE_ID, TEAM_ID, PassKeys, make_pass_keys
from tests.support.clock import FakeClock
from tests.support.live_server import live_server

ISSUER_ID = "3388000000022"
SERVICE_ACCOUNT = "passes@loyalo-test.iam.gserviceaccount.com"
ORIGINS = ["https://shop.example.pl"]


@pytest.fixture(scope="session")
def pass_keys(tmp_path_factory: pytest.TempPathFactory) -> PassKeys:
    return make_pass_keys(tmp_path_factory.mktemp("pass-keys"))


def pass_settings(keys: PassKeys, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "apple_pass_type_id": PASS_TYPE_ID,
        "apple_team_id": TEAM_ID,
        "apple_organization_name": "Example café & shop",
        "apple_certificate_path": keys.certificate,
        "apple_key_path": keys.key,
        "apple_key_password": KEY_PASSWORD,
        "apple_wwdr_path": keys.wwdr,
        "google_issuer_id": ISSUER_ID,
        "google_service_account_email": SERVICE_ACCOUNT,
        "google_private_key_path": keys.google_key,
        "google_origins": ORIGINS,
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def passes_container(
    database_url: str, tmp_path: Path, clock: FakeClock, pass_keys: PassKeys
) -> Iterator[Container]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=database_url,
        db_pool_size=5,
        **pass_settings(pass_keys),
    )
    built = build(settings, clock=clock)
    yield built
    built.close()


@pytest.fixture
def passes_api(passes_container: Container) -> Iterator[Api]:
    """As the ``api`` fixture, over a server that can sign passes."""
    container = passes_container
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
