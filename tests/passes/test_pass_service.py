"""The pass service over storage: one wallet configured, the other refused on its own."""

from __future__ import annotations

import jwt
import pytest

from loyalo.adapters.passes.google import GoogleJwtSigner
from loyalo.application.passes.service import GoogleWallet, PassService
from loyalo.bootstrap.container import Container
from loyalo.domain.errors import PassesNotConfigured
from loyalo.domain.passes.google import GoogleIdentity
from tests.passes.keys import PassKeys
from tests.programme.support import apply, buy, enrol


def test_only_google_configured_signs_google_and_refuses_apple(
    container: Container, pass_keys: PassKeys
) -> None:
    apply(container, currency="PLN", redeem_points_per_unit="20")
    member = enrol(container, email="google-only@example.pl")
    buy(container, member, 25_000)  # 250.00 earns 250 points, worth 12.50 at 20 points per 1.00
    identity = GoogleIdentity("3388000000022", "loyalty", "passes@example.iam.gserviceaccount.com")
    signer = GoogleJwtSigner.from_file(pass_keys.google_key)
    passes = PassService(container.ctx, container.tiers, None, GoogleWallet(identity, signer))

    with container.ctx.uow() as uow:
        card = passes.card(uow, member)
        google = passes.google_pass(uow, member)
        with pytest.raises(PassesNotConfigured) as refused:
            passes.apple_pass(uow, member)

    assert (card.points_available, str(card.points_value), card.tier_name) == (250, "12.50", None)
    assert refused.value.extensions == {"wallet": "apple"}
    claims = jwt.decode(
        google.jwt, pass_keys.google_public, algorithms=["RS256"], audience="google"
    )
    assert claims["payload"]["loyaltyObjects"] == [google.loyalty_object]
    assert google.loyalty_object["loyaltyPoints"]["balance"] == {"int": 250}
