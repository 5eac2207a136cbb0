"""Programme versions in SQL: append-only, like the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from loyalo.adapters.storage.repository import SqlRepository
from loyalo.adapters.storage.tables import Base
from loyalo.domain.errors import ProgrammeVersionConflict
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.programme import AS_APPLIED
from loyalo.domain.programme.stored import StoredProgramme


class ProgrammeVersionRow(Base):
    __tablename__ = "programme_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))


_LATEST_VERSION = select(func.max(ProgrammeVersionRow.version))
_LATEST = select(ProgrammeVersionRow).order_by(ProgrammeVersionRow.version.desc()).limit(1)
_NEWEST_FIRST = select(ProgrammeVersionRow).order_by(ProgrammeVersionRow.version.desc())
_INSERT = insert(ProgrammeVersionRow)


class SqlProgrammeRepository(SqlRepository):
    def latest_version(self) -> int | None:
        version = self._session.scalar(_LATEST_VERSION)
        return int(version) if version is not None else None

    def latest(self) -> StoredProgramme | None:
        row = self._session.scalar(_LATEST)
        return _to_stored(row) if row else None

    def get(self, version: int) -> StoredProgramme | None:
        row = self._session.get(ProgrammeVersionRow, version)
        return _to_stored(row) if row else None

    def list(self) -> list[StoredProgramme]:
        return [_to_stored(row) for row in self._session.scalars(_NEWEST_FIRST)]

    def add(self, stored: StoredProgramme) -> None:
        values = {
            "version": stored.version,
            "document": stored.document.model_dump(mode="json", by_alias=True),
            "source": stored.source,
            "checksum": stored.checksum,
            "created_at": stored.created_at,
            "created_by": stored.created_by,
            "note": stored.note,
        }
        try:
            # A savepoint, so a lost race leaves the caller's transaction usable for a retry.
            with self._session.begin_nested():
                self._db.execute(_INSERT, values)
        except IntegrityError as exc:
            raise ProgrammeVersionConflict(
                f"programme version {stored.version} was applied by someone else",
                version=stored.version,
            ) from exc


def _to_stored(row: ProgrammeVersionRow) -> StoredProgramme:
    return StoredProgramme(
        version=row.version,
        document=ProgrammeDocument.model_validate(row.document, context=AS_APPLIED),
        source=row.source,
        checksum=row.checksum,
        created_at=row.created_at,
        created_by=row.created_by,
        note=row.note,
    )
