"""Programme versions as stored, and the one in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loyalo.domain.programme.document import ProgrammeDocument


@dataclass(frozen=True, slots=True)
class StoredProgramme:
    version: int
    document: ProgrammeDocument
    source: str  # the text as it was applied, YAML or JSON
    checksum: str  # sha256 of the canonical JSON of the document
    created_at: datetime
    created_by: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ActiveProgramme:
    version: int  # 0: nothing applied yet, the built-in default from the settings
    document: ProgrammeDocument
