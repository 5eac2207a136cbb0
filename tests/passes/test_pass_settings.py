"""Pass settings: a wallet is configured whole or not at all, and bad keys fail at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from loyalo.adapters.passes.apple import PassKeyError
from loyalo.bootstrap.container import build
from loyalo.bootstrap.settings import Settings
from tests.passes.conftest import pass_settings
from tests.passes.keys import PassKeys


@pytest.mark.parametrize(
    ("missing", "wallet"),
    [
        ("apple_team_id", "apple"),
        ("apple_key_path", "apple"),
        ("google_private_key_path", "google"),
        ("google_service_account_email", "google"),
    ],
)
def test_a_wallet_configured_by_halves_is_refused(
    pass_keys: PassKeys, missing: str, wallet: str
) -> None:
    with pytest.raises(
        ValidationError, match=f"{wallet} wallet passes need LOYALO_{missing.upper()}"
    ):
        Settings(**pass_settings(pass_keys, **{missing: None}))
    with pytest.raises(ValidationError, match=f"LOYALO_{missing.upper()}"):
        Settings(**pass_settings(pass_keys, **{missing: ""}))


def test_no_wallet_at_all_is_a_valid_configuration() -> None:
    settings = Settings()
    assert settings.apple_pass_type_id is None
    assert settings.google_issuer_id is None


def test_the_settings_read_the_environment(
    pass_keys: PassKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOYALO_GOOGLE_ISSUER_ID", "3388000000022")
    monkeypatch.setenv("LOYALO_GOOGLE_SERVICE_ACCOUNT_EMAIL", "a@b.iam.gserviceaccount.com")
    monkeypatch.setenv("LOYALO_GOOGLE_PRIVATE_KEY_PATH", str(pass_keys.google_key))
    monkeypatch.setenv("LOYALO_GOOGLE_ORIGINS", '["https://shop.example.pl"]')
    settings = Settings()
    assert settings.google_private_key_path == pass_keys.google_key
    assert settings.google_origins == ["https://shop.example.pl"]


def test_a_pass_key_that_does_not_open_stops_the_start(pass_keys: PassKeys, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, **pass_settings(pass_keys, apple_key_password="wrong password")
    )
    with pytest.raises(PassKeyError, match="cannot be read"):
        build(settings)


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("apple_pass_type_id", "pass.pl.other.card", "pass.pl.example.loyalty"),
        ("apple_team_id", "OTHERTEAM1", "TEAM123456"),
    ],
)
def test_a_certificate_for_another_pass_type_or_team_stops_the_start(
    pass_keys: PassKeys, tmp_path: Path, setting: str, value: str, named: str
) -> None:
    settings = Settings(data_dir=tmp_path, **pass_settings(pass_keys, **{setting: value}))
    with pytest.raises(PassKeyError, match=f"is for {named}, not {value}"):
        build(settings)
