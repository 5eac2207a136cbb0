"""Programme versions: apply a document, read the one in force, list and compare them."""

from __future__ import annotations

import hashlib
import json
import threading

from loyalo.application.context import AppContext
from loyalo.application.ports import UnitOfWork
from loyalo.domain.errors import ProgrammeVersionNotFound
from loyalo.domain.programme.diff import Change, diff_documents
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.stored import ActiveProgramme, StoredProgramme


def checksum(document: ProgrammeDocument) -> str:
    canonical = json.dumps(
        document.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


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
        """A new version, unless the document equals the latest one (then nothing changes)."""
        print_ = checksum(document)
        latest = uow.programmes.latest_version()
        if latest is not None:
            current = self._stored(uow, latest)
            if current.checksum == print_:
                return current, False
        stored = StoredProgramme(
            version=(latest or 0) + 1,
            document=document,
            source=source,
            checksum=print_,
            created_at=self._ctx.clock.now(),
            created_by=actor,
            note=note,
        )
        uow.programmes.add(stored)  # the primary key refuses a concurrent apply of the same number
        return stored, True

    def versions(self, uow: UnitOfWork) -> list[StoredProgramme]:
        return uow.programmes.list()

    def get(self, uow: UnitOfWork, version: int) -> StoredProgramme:
        return self._stored(uow, version)

    def document(self, uow: UnitOfWork, version: int) -> ProgrammeDocument:
        if version == 0:
            return self._default.document
        return self._stored(uow, version).document

    def diff(self, uow: UnitOfWork, old: int, new: int) -> list[Change]:
        return diff_documents(self.document(uow, old), self.document(uow, new))

    def _stored(self, uow: UnitOfWork, version: int) -> StoredProgramme:
        stored = uow.programmes.get(version)
        if stored is None:
            raise ProgrammeVersionNotFound(f"no programme version {version}", version=version)
        return stored
