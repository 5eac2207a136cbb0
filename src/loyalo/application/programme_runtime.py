"""The active programme, compiled once per version and shared by every request."""

from __future__ import annotations

import threading
from collections.abc import Callable

from loyalo.application.ports import UnitOfWork
from loyalo.domain.programme.engine.compiled import CompiledProgramme, compile_programme
from loyalo.domain.programme.stored import ActiveProgramme


class ProgrammeRuntime:
    """Compiles each programme version the first time it is needed, and keeps it."""

    def __init__(self, active: Callable[[UnitOfWork], ActiveProgramme]) -> None:
        self._active = active
        self._compiled: dict[int, CompiledProgramme] = {}
        self._lock = threading.Lock()

    def compiled(self, uow: UnitOfWork) -> CompiledProgramme:
        active = self._active(uow)
        found = self._compiled.get(active.version)
        if found is not None:
            return found
        with self._lock:
            found = self._compiled.get(active.version)
            if found is None:
                found = compile_programme(active.document, active.version)
                self._compiled[active.version] = found
            return found
