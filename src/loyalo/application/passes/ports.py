"""What wallet passes need from outside: someone who holds the keys and signs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from loyalo.domain.programme.document.passes import PassDesign


class ApplePassPackager(Protocol):
    """Makes a signed ``.pkpass`` of a pass.json: images, manifest, signature, zip."""

    def package(self, pass_json: Mapping[str, Any], design: PassDesign) -> bytes: ...


class GoogleSaveSigner(Protocol):
    """Signs the claims of a 'save to Google Wallet' link with the service account's key."""

    def sign(self, claims: Mapping[str, Any]) -> str: ...
