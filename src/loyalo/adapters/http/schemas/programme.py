"""Programme versions over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from loyalo.domain.programme.diff import Change
from loyalo.domain.programme.stored import StoredProgramme


class ProgrammeText(BaseModel):
    """The body as sent: what an Idempotency-Key fingerprints."""

    text: str
    note: str | None


class VersionOut(BaseModel):
    version: int
    created_at: datetime | None
    created_by: str | None
    note: str | None
    checksum: str | None
    rules: int

    @classmethod
    def of(cls, stored: StoredProgramme) -> VersionOut:
        return cls(
            version=stored.version,
            created_at=stored.created_at,
            created_by=stored.created_by,
            note=stored.note,
            checksum=stored.checksum,
            rules=len(stored.document.rules),
        )


class ProgrammeOut(VersionOut):
    document: dict[str, Any] = Field(description="The programme document (docs/PROGRAMME.md)")
    changed: bool = Field(default=True, description="False when an identical document was sent")

    @classmethod
    def full(cls, stored: StoredProgramme, changed: bool = True) -> ProgrammeOut:
        return cls(
            **VersionOut.of(stored).model_dump(),
            document=stored.document.model_dump(mode="json", by_alias=True),
            changed=changed,
        )


class ChangeOut(BaseModel):
    path: str
    kind: str
    before: Any = None
    after: Any = None


class DiffOut(BaseModel):
    from_version: int
    to_version: int
    changes: list[ChangeOut]
    lines: list[str] = Field(description="The changes, one readable line each")

    @classmethod
    def of(cls, old: int, new: int, changes: list[Change]) -> DiffOut:
        return cls(
            from_version=old,
            to_version=new,
            changes=[
                ChangeOut(path=c.path, kind=c.kind.value, before=c.before, after=c.after)
                for c in changes
            ],
            lines=[c.render() for c in changes] or ["(no changes)"],
        )
