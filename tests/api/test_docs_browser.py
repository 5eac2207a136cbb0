"""The interactive docs render in a real browser with no network but loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from tests.conftest import Api

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _rendered_dom(url: str) -> str:
    assert CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                # Anything not on loopback fails: the page must need nothing from outside.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return result.stdout


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed"
)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_swagger_ui_renders_the_operations_offline(api: Api) -> None:
    dom = _rendered_dom(f"{api.base_url}/docs")

    assert 'class="swagger-ui' in dom
    assert "/v1/purchases" in dom  # operations were rendered from /openapi.json
    assert "/v1/reservations/{reservation_id}/commit" in dom
