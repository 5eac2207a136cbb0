"""The 'save to Google Wallet' link: its claims signed RS256 with the service account's key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from loyalo.adapters.passes.apple import PassKeyError


@dataclass(frozen=True, slots=True)
class GoogleJwtSigner:
    key: rsa.RSAPrivateKey

    @classmethod
    def from_file(cls, key: Path) -> GoogleJwtSigner:
        try:
            loaded = serialization.load_pem_private_key(key.read_bytes(), None)
        except (TypeError, ValueError) as exc:
            raise PassKeyError(f"the Google service account key cannot be read: {exc}") from exc
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise PassKeyError("the Google service account key must be an RSA key")
        return cls(loaded)

    def sign(self, claims: Mapping[str, Any]) -> str:
        return jwt.encode(dict(claims), self.key, algorithm="RS256")
