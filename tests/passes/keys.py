"""Keys and certificates the pass tests make for themselves.

A root CA stands in for Apple's root, an intermediate CA for the WWDR
certificate, and the pass certificate is issued by the intermediate, so a
signature verifies against the root only when it carries the intermediate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

PASS_TYPE_ID = "pass.pl.example.loyalty"
TEAM_ID = "TEAM123456"
KEY_PASSWORD = "correct horse"


@dataclass(frozen=True)
class PassKeys:
    directory: Path
    root: Path  # the root CA certificate, PEM: what a verifier trusts
    wwdr: Path  # the intermediate, PEM
    certificate: Path  # the pass certificate, PEM
    key: Path  # its key, PEM, encrypted with KEY_PASSWORD
    google_key: Path  # the service account's RSA key, PEM
    google_public: rsa.RSAPublicKey


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def pass_certificate_name(pass_type_id: str, team_id: str) -> x509.Name:
    """As Apple names a pass certificate: the pass type as UID, the team as OU."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.USER_ID, pass_type_id),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Pass Type ID: {pass_type_id}"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, team_id),
        ]
    )


def certificate(
    subject: str | x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
    *,
    ca: bool,
) -> x509.Certificate:
    now = datetime.now(UTC)
    name = _name(subject) if isinstance(subject, str) else subject
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (name, key)
    usage = x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key: rsa.RSAPrivateKey, password: str | None = None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def make_pass_keys(directory: Path) -> PassKeys:
    root_key, wwdr_key, pass_key, google_key = rsa_key(), rsa_key(), rsa_key(), rsa_key()
    root = certificate("Test Root CA", root_key, ca=True)
    wwdr = certificate("Test WWDR Intermediate", wwdr_key, (root, root_key), ca=True)
    subject = pass_certificate_name(PASS_TYPE_ID, TEAM_ID)
    signer = certificate(subject, pass_key, (wwdr, wwdr_key), ca=False)
    files = {
        "root.pem": pem(root),
        "wwdr.pem": pem(wwdr),
        "pass.pem": pem(signer),
        "pass.key": key_pem(pass_key, KEY_PASSWORD),
        "google.key": key_pem(google_key),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return PassKeys(
        directory=directory,
        root=directory / "root.pem",
        wwdr=directory / "wwdr.pem",
        certificate=directory / "pass.pem",
        key=directory / "pass.key",
        google_key=directory / "google.key",
        google_public=google_key.public_key(),
    )
