"""The pure documents of a wallet card: pass.json, the manifest, Google's class, object, claims."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalo.domain.money import Money
from loyalo.domain.passes import apple, google
from loyalo.domain.passes.apple import AppleIdentity
from loyalo.domain.passes.card import PassCard, member_name
from loyalo.domain.passes.google import GoogleIdentity
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.passes import PassDesign

MEMBER_ID = "0b6f6c1e-58a3-4c55-9a4e-2f1b7c1d9e01"
CARD = "89001234567897"
DESIGN = PassDesign(
    description="Example café card",
    background_colour="#1F2937",
    foreground_colour="#FFFFFF",
    label_colour="#D1D5DB",
    terms="100 points pay 10.00 PLN.",
)
ANNA = PassCard(
    member_id=MEMBER_ID,
    card_number=CARD,
    member_name="Anna Nowak",
    programme_name="Example café & shop",
    point_name="points",
    points_available=1234,
    points_pending=617,
    points_value=Money(12340, "PLN"),
    tier_name="Silver",
    design=DESIGN,
)
APPLE = AppleIdentity("pass.pl.example.loyalty", "TEAM123456", "Example sp. z o.o.")
GOOGLE = GoogleIdentity(
    issuer_id="3388000000022",
    class_suffix="loyalty",
    service_account_email="passes@example.iam.gserviceaccount.com",
    origins=("https://shop.example.pl",),
)


def test_the_pass_json_of_a_silver_member_with_1234_points() -> None:
    assert apple.pass_json(ANNA, APPLE) == {
        "formatVersion": 1,
        "passTypeIdentifier": "pass.pl.example.loyalty",
        "serialNumber": MEMBER_ID,
        "teamIdentifier": "TEAM123456",
        "organizationName": "Example sp. z o.o.",
        "description": "Example café card",
        "logoText": "Example café & shop",
        "backgroundColor": "rgb(31, 41, 55)",
        "foregroundColor": "rgb(255, 255, 255)",
        "labelColor": "rgb(209, 213, 219)",
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": CARD,
                "messageEncoding": "iso-8859-1",
                "altText": CARD,
            }
        ],
        "storeCard": {
            "headerFields": [
                {"key": "value", "label": "Worth", "currencyCode": "PLN", "value": 123.4}
            ],
            "primaryFields": [{"key": "balance", "label": "points", "value": 1234}],
            "secondaryFields": [
                {"key": "tier", "label": "Tier", "value": "Silver"},
                {"key": "pending", "label": "Pending", "value": 617},
            ],
            "auxiliaryFields": [
                {"key": "member", "label": "Member", "value": "Anna Nowak"},
                {"key": "card", "label": "Card", "value": CARD},
            ],
            "backFields": [
                {"key": "programme", "label": "Programme", "value": "Example café & shop"},
                {"key": "card-number", "label": "Card number", "value": CARD},
                {
                    "key": "balance-as-of",
                    "label": "Balance",
                    "value": "1234 points = 123.40 PLN when this card was issued",
                },
                {"key": "terms", "label": "Terms", "value": "100 points pay 10.00 PLN."},
            ],
        },
    }


def test_a_member_without_a_name_or_tier_and_a_design_without_terms() -> None:
    card = replace(
        ANNA,
        member_name=None,
        tier_name=None,
        points_pending=0,
        design=PassDesign(logo_text="Café"),
    )
    document = apple.pass_json(card, APPLE)
    store = document["storeCard"]
    assert document["logoText"] == "Café"
    assert "webServiceURL" not in document
    assert "authenticationToken" not in document
    assert store["secondaryFields"] == [{"key": "tier", "label": "Tier", "value": "—"}]
    assert store["auxiliaryFields"][0] == {"key": "member", "label": "Member", "value": ""}
    assert [field["key"] for field in store["backFields"]] == [
        "programme",
        "card-number",
        "balance-as-of",
    ]
    loyalty = google.loyalty_object(card, GOOGLE)
    assert loyalty["accountName"] == CARD
    assert loyalty["textModulesData"] == [{"id": "tier", "header": "Tier", "body": "—"}]


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("Anna", "Nowak", "Anna Nowak"),
        ("Anna", None, "Anna"),
        (None, "Nowak", "Nowak"),
        (None, None, None),
        ("", "", None),
    ],
)
def test_member_name(first: str | None, last: str | None, expected: str | None) -> None:
    assert member_name(first, last) == expected


@pytest.mark.parametrize(
    ("hex_colour", "expected"),
    [
        ("#000000", "rgb(0, 0, 0)"),
        ("#FFFFFF", "rgb(255, 255, 255)"),
        ("#1f2937", "rgb(31, 41, 55)"),
        ("#0A8000", "rgb(10, 128, 0)"),
    ],
)
def test_colours_in_pass_json_form(hex_colour: str, expected: str) -> None:
    assert apple.rgb(hex_colour) == expected


def test_the_manifest_names_every_file_with_the_sha1_of_its_bytes() -> None:
    files = {"pass.json": b"abc", "icon.png": b"", "logo.png": b"\x89PNG"}
    assert apple.manifest(files) == {
        "icon.png": "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "logo.png": hashlib.sha1(b"\x89PNG").hexdigest(),
        "pass.json": "a9993e364706816aba3e25717850c26c9cd0d89d",
    }


def test_the_google_loyalty_class_and_object() -> None:
    assert google.loyalty_class(ANNA, GOOGLE) == {
        "id": "3388000000022.loyalty",
        "issuerName": "Example café & shop",
        "programName": "Example café & shop",
        "reviewStatus": "UNDER_REVIEW",
        "hexBackgroundColor": "#1F2937",
        "localizedAccountNameLabel": {"defaultValue": {"language": "en", "value": "Member"}},
        "localizedAccountIdLabel": {"defaultValue": {"language": "en", "value": "Card"}},
    }
    assert google.loyalty_object(ANNA, GOOGLE) == {
        "id": f"3388000000022.{MEMBER_ID}",
        "classId": "3388000000022.loyalty",
        "state": "ACTIVE",
        "accountId": CARD,
        "accountName": "Anna Nowak",
        "loyaltyPoints": {"label": "points", "balance": {"int": 1234}},
        "secondaryLoyaltyPoints": {
            "label": "Worth",
            "balance": {"money": {"micros": 123_400_000, "currencyCode": "PLN"}},
        },
        "barcode": {"type": "QR_CODE", "value": CARD, "alternateText": CARD},
        "textModulesData": [
            {"id": "tier", "header": "Tier", "body": "Silver"},
            {
                "id": "pending",
                "header": "Pending",
                "body": "617 points, spendable after the return window",
            },
            {"id": "terms", "header": "Terms", "body": "100 points pay 10.00 PLN."},
        ],
    }


def test_the_class_carries_the_logo_google_needs_to_create_it() -> None:
    with_logo = replace(GOOGLE, program_logo_url="https://x.pl/l.png")
    document = google.loyalty_class(ANNA, with_logo)
    assert document["programLogo"] == {"sourceUri": {"uri": "https://x.pl/l.png"}}


def test_the_save_claims() -> None:
    issued = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    objects: list[dict[str, Any]] = [{"id": "o"}]
    assert google.save_claims(objects, GOOGLE, issued) == {
        "iss": "passes@example.iam.gserviceaccount.com",
        "aud": "google",
        "typ": "savetowallet",
        "iat": 1772366400,
        "origins": ["https://shop.example.pl"],
        "payload": {"loyaltyObjects": [{"id": "o"}]},
    }
    with_class = google.save_claims(objects, GOOGLE, issued, classes=[{"id": "c"}])
    assert with_class["payload"] == {
        "loyaltyObjects": [{"id": "o"}],
        "loyaltyClasses": [{"id": "c"}],
    }
    assert google.save_url("a.b.c") == "https://pay.google.com/gp/v/save/a.b.c"


@pytest.mark.parametrize(
    ("amount_minor", "currency", "micros", "apple_value"),
    [
        (12340, "PLN", 123_400_000, 123.4),
        (1, "PLN", 10_000, 0.01),
        (500, "JPY", 500_000_000, 500.0),
        (1234, "KWD", 1_234_000, 1.234),
        (0, "EUR", 0, 0.0),
    ],
)
def test_the_money_value_in_each_wallet(
    amount_minor: int, currency: str, micros: int, apple_value: float
) -> None:
    card = replace(ANNA, points_value=Money(amount_minor, currency))
    money = google.loyalty_object(card, GOOGLE)["secondaryLoyaltyPoints"]["balance"]["money"]
    assert money == {"micros": micros, "currencyCode": currency}
    header = apple.pass_json(card, APPLE)["storeCard"]["headerFields"][0]
    assert (header["value"], header["currencyCode"]) == (apple_value, currency)


@given(
    amount_minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["PLN", "EUR", "JPY", "KWD", "USD"]),
)
def test_micros_are_exactly_the_amount_times_a_million(amount_minor: int, currency: str) -> None:
    value = Money(amount_minor, currency)
    card = replace(ANNA, points_value=value)
    money = google.loyalty_object(card, GOOGLE)["secondaryLoyaltyPoints"]["balance"]["money"]
    assert Decimal(money["micros"]) == value.as_decimal() * 1_000_000
    header = apple.pass_json(card, APPLE)["storeCard"]["headerFields"][0]
    assert Decimal(str(header["value"])) == value.as_decimal()


@pytest.mark.parametrize(
    "passes",
    [
        {"background_colour": "red"},
        {"foreground_colour": "#FFF"},
        {"label_colour": "#GGGGGG"},
        {"description": ""},
        {"colour": "#000000"},  # unknown fields are errors, as everywhere in the document
    ],
)
def test_a_passes_section_that_is_not_valid_is_refused(passes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ProgrammeDocument.model_validate({"passes": passes})


def test_a_programme_without_a_passes_section_gets_the_plain_card() -> None:
    assert ProgrammeDocument().passes == PassDesign()
    assert ProgrammeDocument().passes.background_colour == "#1F2937"
