"""GET /v1/members/{id}/wallet/apple|google and /v1/me/wallet/...: over real HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from loyalo.domain.errors import PassesNotConfigured
from tests.api.helpers import assert_problem, enrol, purchase_body
from tests.api.test_rules_at_the_till import apply
from tests.conftest import Api
from tests.passes.conftest import ISSUER_ID, ORIGINS, SERVICE_ACCOUNT
from tests.passes.keys import PASS_TYPE_ID, TEAM_ID, PassKeys, rsa_key
from tests.passes.verify import smime_verify, unzipped

PROGRAMME: dict[str, Any] = {
    "name": "Example café & shop",
    "currency": "PLN",
    "point_name": "points",
    "redeem_points_per_unit": "10",
    "tiers": {
        "metric": "points_earned",
        "window": "lifetime",
        "levels": [
            {"id": "bronze", "name": "Bronze", "threshold": "0"},
            {"id": "silver", "name": "Silver", "threshold": "500"},
        ],
    },
    "passes": {
        "description": "Café card",
        "background_colour": "#3B2314",
        "foreground_colour": "#FFFFFF",
        "label_colour": "#E8D5C0",
        "terms": "100 points pay 10.00 PLN.",
    },
}


def silver_member(api: Api) -> dict[str, Any]:
    """Anna, who earned 612 points (612.00 PLN), worth 61.20 PLN, and is Silver."""
    apply(api.admin, PROGRAMME)
    member = enrol(api.admin, first_name="Anna", last_name="Nowak", email="anna@example.pl")
    body = purchase_body(member["member_id"], [("SKU", 1, "612.00")])
    body["occurred_at"] = "2026-03-01T11:00:00Z"
    response = api.pos.post("/v1/purchases", json=body)
    assert response.status_code == 201, response.text
    return member


def token_for(api: Api, member_id: str) -> str:
    response = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_a_pkpass_for_a_silver_member_verifies_against_its_certificate(
    passes_api: Api, pass_keys: PassKeys, tmp_path: Path
) -> None:
    member = silver_member(passes_api)

    response = passes_api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/apple")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.pkpass"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{member["card"]["number"]}.pkpass"'
    )
    assert response.headers["cache-control"] == "no-store"
    files = unzipped(response.content)
    assert set(files) == {
        "pass.json", "manifest.json", "signature",
        "icon.png", "icon@2x.png", "logo.png", "logo@2x.png",
    }  # fmt: skip
    assert smime_verify(files["signature"], files["manifest.json"], pass_keys.root, tmp_path)
    tampered = json.dumps({**json.loads(files["manifest.json"]), "pass.json": "0" * 40}).encode()
    assert not smime_verify(files["signature"], tampered, pass_keys.root, tmp_path)


def test_the_pass_shows_the_card_as_qr_the_balance_its_value_and_the_tier(
    passes_api: Api,
) -> None:
    member = silver_member(passes_api)
    files = unzipped(
        passes_api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/apple").content
    )

    manifest = json.loads(files["manifest.json"])
    assert manifest == {
        name: hashlib.sha1(data).hexdigest()
        for name, data in files.items()
        if name not in {"manifest.json", "signature"}
    }
    document = json.loads(files["pass.json"])
    store = document["storeCard"]
    assert document["passTypeIdentifier"] == PASS_TYPE_ID
    assert document["teamIdentifier"] == TEAM_ID
    assert document["serialNumber"] == member["member_id"]
    assert document["organizationName"] == "Example café & shop"
    assert document["description"] == "Café card"
    assert document["backgroundColor"] == "rgb(59, 35, 20)"
    assert document["barcodes"] == [
        {
            "format": "PKBarcodeFormatQR",
            "message": member["card"]["number"],
            "messageEncoding": "iso-8859-1",
            "altText": member["card"]["number"],
        }
    ]
    assert store["primaryFields"] == [{"key": "balance", "label": "points", "value": 612}]
    assert store["headerFields"] == [
        {"key": "value", "label": "Worth", "currencyCode": "PLN", "value": 61.2}
    ]
    assert store["secondaryFields"] == [{"key": "tier", "label": "Tier", "value": "Silver"}]
    assert store["auxiliaryFields"][0] == {
        "key": "member",
        "label": "Member",
        "value": "Anna Nowak",
    }
    assert {"key": "terms", "label": "Terms", "value": "100 points pay 10.00 PLN."} in store[
        "backFields"
    ]


def test_the_google_save_link_is_signed_by_the_service_account_key(
    passes_api: Api, pass_keys: PassKeys
) -> None:
    member = silver_member(passes_api)

    response = passes_api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/google")

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["save_url"] == f"https://pay.google.com/gp/v/save/{body['jwt']}"
    claims = jwt.decode(
        body["jwt"], pass_keys.google_public, algorithms=["RS256"], audience="google"
    )
    assert claims["iss"] == SERVICE_ACCOUNT
    assert claims["typ"] == "savetowallet"
    assert claims["origins"] == ORIGINS
    assert claims["iat"] == 1772366400  # the test clock: 2026-03-01 12:00 UTC
    assert claims["payload"] == {"loyaltyObjects": [body["loyalty_object"]]}  # no logo: no class
    loyalty = body["loyalty_object"]
    assert loyalty["id"] == f"{ISSUER_ID}.{member['member_id']}"
    assert loyalty["classId"] == body["loyalty_class"]["id"] == f"{ISSUER_ID}.loyalty"
    assert loyalty["accountId"] == member["card"]["number"]
    assert loyalty["accountName"] == "Anna Nowak"
    assert loyalty["loyaltyPoints"] == {"label": "points", "balance": {"int": 612}}
    assert loyalty["secondaryLoyaltyPoints"]["balance"] == {
        "money": {"micros": 61_200_000, "currencyCode": "PLN"}
    }
    assert loyalty["barcode"]["type"] == "QR_CODE"
    assert loyalty["barcode"]["value"] == member["card"]["number"]
    assert loyalty["textModulesData"][0] == {"id": "tier", "header": "Tier", "body": "Silver"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(body["jwt"], rsa_key().public_key(), algorithms=["RS256"], audience="google")


def test_points_in_the_return_window_show_as_pending(passes_api: Api) -> None:
    apply(passes_api.admin, {**PROGRAMME, "pending_days": 14})
    member = enrol(passes_api.admin, email="pending@example.pl")
    response = passes_api.pos.post(
        "/v1/purchases", json=purchase_body(member["member_id"], [("SKU", 1, "80.00")])
    )
    assert response.status_code == 201, response.text

    apple = passes_api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/apple")
    store = json.loads(unzipped(apple.content)["pass.json"])["storeCard"]
    assert store["primaryFields"][0]["value"] == 0
    assert store["secondaryFields"][1] == {"key": "pending", "label": "Pending", "value": 80}
    google = passes_api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/google").json()
    assert google["loyalty_object"]["loyaltyPoints"]["balance"] == {"int": 0}
    assert google["loyalty_object"]["textModulesData"][1]["body"] == (
        "80 points, spendable after the return window"
    )


def test_the_member_app_gets_its_own_cards_and_no_one_elses(passes_api: Api) -> None:
    anna = silver_member(passes_api)
    bob = enrol(passes_api.admin, email="bob@example.pl")
    app = passes_api.as_member(token_for(passes_api, anna["member_id"]))

    apple = app.get("/v1/me/wallet/apple")
    assert apple.status_code == 200, apple.text
    assert json.loads(unzipped(apple.content)["pass.json"])["serialNumber"] == anna["member_id"]
    google = app.get("/v1/me/wallet/google")
    assert google.status_code == 200, google.text
    assert google.json()["loyalty_object"]["accountId"] == anna["card"]["number"]
    own = app.get(f"/v1/members/id:{anna['member_id']}/wallet/google")
    assert own.status_code == 200, own.text
    for wallet in ("apple", "google"):
        assert_problem(
            app.get(f"/v1/members/id:{bob['member_id']}/wallet/{wallet}"), 403, "forbidden"
        )


def test_an_unknown_member_or_an_app_key_without_a_member_is_refused(passes_api: Api) -> None:
    for wallet in ("apple", "google"):
        unknown = passes_api.pos.get(f"/v1/members/ext:nobody/wallet/{wallet}")
        assert_problem(unknown, 404, "member-not-found")
        bare_app = httpx.Client(
            base_url=passes_api.base_url,
            headers={"Authorization": f"Bearer {passes_api.app_key}"},
            timeout=30,
        )
        with bare_app:
            assert_problem(bare_app.get(f"/v1/me/wallet/{wallet}"), 403, "forbidden")


def test_without_keys_each_wallet_answers_passes_not_configured(api: Api) -> None:
    member = enrol(api.admin, email="nokeys@example.pl")
    for wallet in ("apple", "google"):
        response = api.pos.get(f"/v1/members/id:{member['member_id']}/wallet/{wallet}")
        body = assert_problem(response, 409, "passes-not-configured")
        assert body["wallet"] == wallet
    described = api.admin.get(f"/problems/{PassesNotConfigured.slug}")
    assert described.status_code == 200
    assert described.json()["status"] == 409
