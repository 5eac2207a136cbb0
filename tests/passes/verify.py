"""Checks made without the code under test: OpenSSL verifies, PyJWT decodes."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

OPENSSL = shutil.which("openssl")


def smime_verify(signature: bytes, content: bytes, root: Path, workdir: Path) -> bool:
    """Whether ``signature`` is a valid detached signature of ``content`` chaining to ``root``."""
    if OPENSSL is None:
        pytest.skip("openssl is not on this machine: the signature cannot be checked independently")
    (workdir / "signature").write_bytes(signature)
    (workdir / "content").write_bytes(content)
    result = subprocess.run(
        [
            OPENSSL, "smime", "-verify", "-binary", "-inform", "DER",
            "-in", str(workdir / "signature"), "-content", str(workdir / "content"),
            "-CAfile", str(root), "-purpose", "any", "-out", "/dev/null",
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    return result.returncode == 0


def signed_attributes(signature: bytes, workdir: Path) -> str:
    """OpenSSL's printout of the signature's structure, to find its signed attributes."""
    if OPENSSL is None:
        pytest.skip("openssl is not on this machine")
    (workdir / "signature").write_bytes(signature)
    result = subprocess.run(
        [OPENSSL, "cms", "-cmsout", "-print", "-inform", "DER", "-in", str(workdir / "signature")],
        capture_output=True,
        check=True,
        text=True,
    )
    return result.stdout


def unzipped(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
