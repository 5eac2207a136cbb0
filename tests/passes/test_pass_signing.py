"""Signing with the operator's keys: checked by OpenSSL and PyJWT, not by the signing code."""

from __future__ import annotations

import hashlib
import json
import struct
from pathlib import Path

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from loyalo.adapters.passes.apple import ApplePassSigner, PassKeyError, load_signing_key
from loyalo.adapters.passes.google import GoogleJwtSigner
from loyalo.adapters.passes.images import solid_png
from loyalo.domain.programme.document.passes import PassDesign
from tests.passes.keys import KEY_PASSWORD, PassKeys, key_pem, rsa_key
from tests.passes.verify import signed_attributes, smime_verify, unzipped

PASS_JSON = {"formatVersion": 1, "serialNumber": "m-1", "description": "Card"}
IMAGES = {"icon.png", "icon@2x.png", "logo.png", "logo@2x.png"}


def signer(keys: PassKeys, *, wwdr: bool = True, artwork: Path | None = None) -> ApplePassSigner:
    return ApplePassSigner.from_files(
        keys.certificate, keys.key, KEY_PASSWORD, keys.wwdr if wwdr else None, artwork
    )


def test_the_package_holds_pass_json_images_a_manifest_of_them_and_a_signature(
    pass_keys: PassKeys,
) -> None:
    files = unzipped(signer(pass_keys).package(PASS_JSON, PassDesign()))

    assert set(files) == {"pass.json", "manifest.json", "signature", *IMAGES}
    assert json.loads(files["pass.json"]) == PASS_JSON
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == set(files) - {"manifest.json", "signature"}
    for name, digest in manifest.items():
        assert digest == hashlib.sha1(files[name]).hexdigest(), name


def test_the_signature_verifies_over_the_manifest_and_a_changed_manifest_does_not(
    pass_keys: PassKeys, tmp_path: Path
) -> None:
    files = unzipped(signer(pass_keys).package(PASS_JSON, PassDesign()))
    signature, manifest = files["signature"], files["manifest.json"]

    assert smime_verify(signature, manifest, pass_keys.root, tmp_path)
    tampered = manifest.replace(b'"pass.json": "', b'"pass.json": "0', 1)
    assert tampered != manifest
    assert not smime_verify(signature, tampered, pass_keys.root, tmp_path)


def test_the_signature_carries_the_wwdr_certificate_the_chain_needs(
    pass_keys: PassKeys, tmp_path: Path
) -> None:
    with_wwdr = signer(pass_keys).sign(b"{}")
    without = signer(pass_keys, wwdr=False).sign(b"{}")

    carried = {c.subject.rfc4514_string() for c in pkcs7.load_der_pkcs7_certificates(with_wwdr)}
    wwdr = x509.load_pem_x509_certificate(pass_keys.wwdr.read_bytes())
    assert wwdr.subject.rfc4514_string() in carried
    assert smime_verify(with_wwdr, b"{}", pass_keys.root, tmp_path)
    assert not smime_verify(without, b"{}", pass_keys.root, tmp_path)


def test_the_signature_is_detached_sha256_with_the_signing_time(
    pass_keys: PassKeys, tmp_path: Path
) -> None:
    printed = signed_attributes(signer(pass_keys).sign(b"{}"), tmp_path)
    assert "eContent: <ABSENT>" in printed  # detached: the manifest is not inside
    assert "signingTime" in printed
    assert "messageDigest" in printed
    assert "digestAlgorithm: \n          algorithm: sha256 (2.16.840.1.101.3.4.2.1)" in printed


def test_operator_artwork_replaces_the_plain_images(pass_keys: PassKeys, tmp_path: Path) -> None:
    logo = solid_png(160, 50, "#FF0000")
    (tmp_path / "logo.png").write_bytes(logo)
    (tmp_path / "strip.png").write_bytes(b"strip")
    (tmp_path / "notes.txt").write_bytes(b"not artwork")
    files = unzipped(signer(pass_keys, artwork=tmp_path).package(PASS_JSON, PassDesign()))
    assert files["logo.png"] == logo
    assert files["strip.png"] == b"strip"
    assert "notes.txt" not in files
    assert "strip.png" in json.loads(files["manifest.json"])


@pytest.mark.parametrize(("width", "height"), [(29, 29), (58, 58), (160, 50), (320, 100)])
def test_the_plain_images_are_pngs_of_their_size(width: int, height: int) -> None:
    image = solid_png(width, height, "#1F2937")
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert image[12:16] == b"IHDR"
    assert struct.unpack(">II", image[16:24]) == (width, height)


def test_a_certificate_of_another_key_or_a_wrong_password_is_refused(
    pass_keys: PassKeys, tmp_path: Path
) -> None:
    certificate = x509.load_pem_x509_certificate(pass_keys.certificate.read_bytes())
    with pytest.raises(PassKeyError, match="does not belong"):
        ApplePassSigner(certificate, rsa_key())
    with pytest.raises(PassKeyError, match="cannot be read"):
        load_signing_key(pass_keys.key.read_bytes(), "wrong password")
    with pytest.raises(PassKeyError, match="cannot be read"):
        load_signing_key(pass_keys.key.read_bytes(), None)


def test_the_google_jwt_verifies_with_the_public_key_and_not_with_another(
    pass_keys: PassKeys, tmp_path: Path
) -> None:
    claims = {"iss": "a@b.iam", "aud": "google", "typ": "savetowallet", "payload": {"x": 1}}
    token = GoogleJwtSigner.from_file(pass_keys.google_key).sign(claims)

    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    decoded = jwt.decode(token, pass_keys.google_public, algorithms=["RS256"], audience="google")
    assert decoded == claims
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, rsa_key().public_key(), algorithms=["RS256"], audience="google")

    (tmp_path / "other.key").write_bytes(key_pem(rsa_key()))
    forged = GoogleJwtSigner.from_file(tmp_path / "other.key").sign(claims)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, pass_keys.google_public, algorithms=["RS256"], audience="google")
