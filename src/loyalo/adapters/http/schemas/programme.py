"""Programme versions over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from loyalo.application.programmes import checksum
from loyalo.domain.programme.diff import Change, render
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.stored import StoredProgramme


class ProgrammeText(BaseModel):
    """The body as sent: what an Idempotency-Key fingerprints."""

    text: str
    note: str | None


class VersionOut(BaseModel):
    version: int = Field(description="0: no version applied yet, the defaults from the settings")
    created_at: datetime | None
    created_by: str | None
    note: str | None
    checksum: str = Field(description="sha256 of the document's canonical JSON")
    rules: int = Field(description="How many rules the document has")

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
    changed: bool | None = Field(
        default=None,
        description="In the answer to PUT: false when the document equals the version in force",
    )

    @classmethod
    def full(cls, stored: StoredProgramme, changed: bool | None = None) -> ProgrammeOut:
        return cls(
            **VersionOut.of(stored).model_dump(),
            document=stored.document.model_dump(mode="json", by_alias=True),
            changed=changed,
        )

    @classmethod
    def built_in(cls, document: ProgrammeDocument) -> ProgrammeOut:
        return cls(
            version=0,
            created_at=None,
            created_by=None,
            note="the defaults from the settings: no version was applied yet",
            checksum=checksum(document),
            rules=len(document.rules),
            document=document.model_dump(mode="json", by_alias=True),
        )


class ChangeOut(BaseModel):
    path: str = Field(description="rules[coffee-stamps].effect.goal: rules and tiers by id")
    kind: Literal["added", "removed", "changed"]
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
            lines=render(changes),
        )
