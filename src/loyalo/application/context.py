"""What every use case needs: a unit of work, a clock, the terms and the programme."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from loyalo.application.ports import Clock, ProgrammeProvider, UnitOfWork, UnitOfWorkFactory
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
    terms: ProgrammeTerms  # the settings' terms: the card prefix, and defaults
    programmes: ProgrammeProvider

    def terms_in(self, uow: UnitOfWork) -> ProgrammeTerms:
        """The terms of the programme in force: currency, rates, pending days, hold time."""
        return self.programmes.compiled(uow).terms
