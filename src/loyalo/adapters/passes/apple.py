"""The Apple Wallet package: pass.json, images, manifest.json, signature, zipped.

The signature is a detached PKCS#7 (CMS SignedData) over manifest.json in DER,
SHA-256, by the pass certificate, with Apple's WWDR intermediate included and the
signing time among the signed attributes, as Wallet requires.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

from loyalo.adapters.passes.images import default_images
from loyalo.domain.passes.apple import manifest
from loyalo.domain.programme.document.passes import PassDesign

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
# Files an operator may ship to replace the plain images.
ARTWORK = ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png", "strip.png", "strip@2x.png")


class PassKeyError(ValueError):
    """The configured certificate or key cannot sign passes."""


@dataclass(frozen=True, slots=True)
class ApplePassSigner:
    certificate: x509.Certificate
    key: SigningKey
    wwdr: x509.Certificate | None = None
    artwork: Mapping[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.certificate.public_key() != self.key.public_key():
            raise PassKeyError("the pass certificate does not belong to the private key")

    @classmethod
    def from_files(
        cls,
        certificate: Path,
        key: Path,
        password: str | None = None,
        wwdr: Path | None = None,
        artwork_dir: Path | None = None,
    ) -> ApplePassSigner:
        return cls(
            certificate=x509.load_pem_x509_certificate(certificate.read_bytes()),
            key=load_signing_key(key.read_bytes(), password),
            wwdr=x509.load_pem_x509_certificate(wwdr.read_bytes()) if wwdr else None,
            artwork=read_artwork(artwork_dir) if artwork_dir else {},
        )

    def check_issuer(self, pass_type_id: str, team_id: str) -> None:
        """Wallet drops a pass whose ids differ from its certificate's: refuse that up front.

        Apple's pass certificates name the pass type as the subject's UID and the team as its
        OU; a certificate without them (a test one) is taken as it is.
        """
        subject = self.certificate.subject
        for oid, expected in (
            (NameOID.USER_ID, pass_type_id),
            (NameOID.ORGANIZATIONAL_UNIT_NAME, team_id),
        ):
            named = {str(attribute.value) for attribute in subject.get_attributes_for_oid(oid)}
            if named and expected not in named:
                raise PassKeyError(
                    f"the pass certificate is for {', '.join(sorted(named))}, not {expected}"
                )

    def package(self, pass_json: Mapping[str, Any], design: PassDesign) -> bytes:
        files = {**default_images(design.background_colour), **self.artwork}
        files["pass.json"] = json.dumps(pass_json, ensure_ascii=False, indent=2).encode()
        manifest_json = json.dumps(manifest(files), indent=2).encode()
        files["manifest.json"] = manifest_json
        files["signature"] = self.sign(manifest_json)
        return _zipped(files)

    def sign(self, manifest_json: bytes) -> bytes:
        builder = (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(manifest_json)
            .add_signer(self.certificate, self.key, hashes.SHA256())
        )
        if self.wwdr is not None:
            builder = builder.add_certificate(self.wwdr)
        options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
        return builder.sign(serialization.Encoding.DER, options)


def load_signing_key(pem: bytes, password: str | None) -> SigningKey:
    secret = password.encode() if password else None
    try:
        key = serialization.load_pem_private_key(pem, secret)
    except (TypeError, ValueError) as exc:
        raise PassKeyError(f"the pass key cannot be read: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise PassKeyError("the pass key must be an RSA or EC key")
    return key


def read_artwork(directory: Path) -> dict[str, bytes]:
    return {
        name: (directory / name).read_bytes() for name in ARTWORK if (directory / name).is_file()
    }


def _zipped(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
