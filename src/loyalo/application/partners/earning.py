"""The programme a partner's till runs: compiled once per programme version and rate."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from loyalo.application.ports import ProgrammeProvider, UnitOfWork
from loyalo.domain.partners.earning import partner_document
from loyalo.domain.programme.engine.compiled import CompiledProgramme, compile_programme

_KEPT = 256  # compiled variants; rates change seldom, so this is many months of them


@dataclass(frozen=True, slots=True)
class FixedProgramme:
    """A provider that always gives one compiled programme: the partner's, for one call."""

    programme: CompiledProgramme

    def compiled(self, uow: UnitOfWork) -> CompiledProgramme:
        return self.programme


class PartnerProgrammes:
    def __init__(self, base: ProgrammeProvider) -> None:
        self._base = base
        self._compiled: dict[tuple[int, str, Decimal], tuple[object, CompiledProgramme]] = {}
        self._lock = threading.Lock()

    def compiled_for(
        self, uow: UnitOfWork, partner_id: str, points_per_unit: Decimal
    ) -> CompiledProgramme:
        base = self._base.compiled(uow)
        key = (base.version, partner_id, points_per_unit)
        with self._lock:
            found = self._compiled.get(key)
        if found is not None and found[0] is base:
            return found[1]
        document = partner_document(base.document, partner_id, points_per_unit)
        compiled = compile_programme(document, base.version)
        with self._lock:
            if len(self._compiled) >= _KEPT:
                self._compiled.clear()
            self._compiled[key] = (base, compiled)
        return compiled
