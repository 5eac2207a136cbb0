"""What every use case needs: a way to open a unit of work, a clock, the terms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from loyalo.application.ports import Clock, UnitOfWorkFactory
from loyalo.domain.programme.terms import ProgrammeTerms


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class AppContext:
    uow: UnitOfWorkFactory
    clock: Clock
    terms: ProgrammeTerms
