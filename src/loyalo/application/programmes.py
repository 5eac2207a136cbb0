"""Programme versions: apply a document, read the one in force, list and compare them."""

from __future__ import annotations

import hashlib
import json
import threading
from decimal import Decimal
from typing import Any

from loyalo.application.context import AppContext
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import ProgrammeVersionConflict, ProgrammeVersionNotFound
from loyalo.domain.programme.diff import Change, diff_documents
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.engine.compiled import compile_programme
from loyalo.domain.programme.stored import ActiveProgramme, StoredProgramme

APPLY_ATTEMPTS = 3


def checksum(document: ProgrammeDocument) -> str:
    """The same programme gives the same checksum, however its numbers were spelled."""
    data = _canonical(document.model_dump(mode="python", by_alias=True))
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):  # 1, 1.0 and 1.00 are one rate
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return value


class ProgrammeService:
    def __init__(self, ctx: AppContext, default: ProgrammeDocument) -> None:
        self._ctx = ctx
        self._default = ActiveProgramme(0, default)
        self._cache: dict[int, ActiveProgramme] = {}
        self._lock = threading.Lock()

    def active(self, uow: UnitOfWork) -> ActiveProgramme:
        """The latest version: one indexed query, the document parsed once per version."""
        version = uow.programmes.latest_version()
        if version is None:
            return self._default
        found = self._cache.get(version)
        if found is None:
            stored = self._stored(uow, version)
            found = ActiveProgramme(version, stored.document)
            with self._lock:
                self._cache[version] = found
        return found

    def apply(
        self,
        uow: UnitOfWork,
        document: ProgrammeDocument,
        *,
        source: str,
        actor: str,
        note: str | None = None,
    ) -> tuple[StoredProgramme, bool]:
        """A new version, unless the document equals the latest one (then nothing changes).

        Two applies at once race for the same number; the loser reads the winner's
        version and tries the next number (PostgreSQL reads committed rows anew).
        """
        compile_programme(document, 0)  # a rule that cannot compile would refuse every purchase
        print_ = checksum(document)
        for _ in range(APPLY_ATTEMPTS):
            latest = uow.programmes.latest()
            if latest is not None and latest.checksum == print_:
                return latest, False
            stored = StoredProgramme(
                version=(latest.version if latest else 0) + 1,
                document=document,
                source=source,
                checksum=print_,
                created_at=self._ctx.clock.now(),
                created_by=actor,
                note=note,
            )
            try:
                uow.programmes.add(stored)
            except ProgrammeVersionConflict:
                continue
            return stored, True
        raise ProgrammeVersionConflict(
            "other programme versions kept being applied at the same moment; try again"
        )

    def versions(self, uow: UnitOfWork) -> list[StoredProgramme]:
        return uow.programmes.list()

    def get(self, uow: UnitOfWork, version: int) -> StoredProgramme:
        return self._stored(uow, version)

    def document(self, uow: UnitOfWork, version: int) -> ProgrammeDocument:
        """Version 0 is the default the service was built with."""
        if version == 0:
            return self._default.document
        cached = self._cache.get(version)
        return cached.document if cached else self._stored(uow, version).document

    def diff(self, uow: UnitOfWork, old: int, new: int) -> list[Change]:
        return diff_documents(self.document(uow, old), self.document(uow, new))

    def _stored(self, uow: UnitOfWork, version: int) -> StoredProgramme:
        stored = uow.programmes.get(version)
        if stored is None:
            raise ProgrammeVersionNotFound(f"no programme version {version}", version=version)
        return stored
