"""``loyalo passes apple MEMBER --out card.pkpass`` and ``loyalo passes google MEMBER``."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
from typer.testing import CliRunner

from loyalo.bootstrap.container import Container
from loyalo.cli.main import app
from tests.passes.conftest import pass_settings
from tests.passes.keys import PassKeys
from tests.passes.verify import smime_verify, unzipped
from tests.programme.support import enrol

runner = CliRunner()


def _env(database_url: str, data_dir: Path, keys: PassKeys | None) -> dict[str, str]:
    env = {"LOYALO_DATABASE_URL": database_url, "LOYALO_DATA_DIR": str(data_dir)}
    for name, value in (pass_settings(keys) if keys else {}).items():
        env[f"LOYALO_{name.upper()}"] = json.dumps(value) if isinstance(value, list) else str(value)
    return env


def test_support_writes_a_members_pkpass_and_prints_the_google_link(
    container: Container, database_url: str, tmp_path: Path, pass_keys: PassKeys
) -> None:
    member = enrol(container, email="cli-pass@example.pl", first_name="Ewa")
    env = _env(database_url, tmp_path, pass_keys)
    out = tmp_path / "card.pkpass"

    written = runner.invoke(
        app, ["passes", "apple", f"card:{member.card_number}", "--out", str(out)], env=env
    )

    assert written.exit_code == 0, written.output
    files = unzipped(out.read_bytes())
    assert json.loads(files["pass.json"])["barcodes"][0]["message"] == member.card_number
    assert smime_verify(files["signature"], files["manifest.json"], pass_keys.root, tmp_path)
    printed = runner.invoke(app, ["passes", "google", f"id:{member.member_id}"], env=env)
    assert printed.exit_code == 0, printed.output
    body = json.loads(printed.stdout)
    claims = jwt.decode(
        body["jwt"], pass_keys.google_public, algorithms=["RS256"], audience="google"
    )
    assert claims["payload"]["loyaltyObjects"][0]["accountName"] == "Ewa"


def test_without_a_certificate_the_command_says_so_and_fails(
    container: Container, database_url: str, tmp_path: Path
) -> None:
    member = enrol(container, email="cli-nopass@example.pl")
    out = tmp_path / "card.pkpass"
    result = runner.invoke(
        app,
        ["passes", "apple", f"id:{member.member_id}", "--out", str(out)],
        env=_env(database_url, tmp_path, None),
    )
    assert result.exit_code == 1
    assert "Apple Wallet passes are not configured" in result.output
    assert not out.exists()
