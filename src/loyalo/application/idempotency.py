"""Idempotent writes: the same key and body give the stored response, once executed.

The key is claimed, the work done and the response stored in one database
transaction, so a crash leaves either all of it or none, and a concurrent
request with the same key waits for the first to commit and then reads its
response. A refused request (a domain error) is stored too, inside a savepoint
that rolls its partial work back, so a retry gets the same refusal.

When the store aborts the transaction to break a deadlock (``TransientConflict``),
nothing of it was written, claim included, and the whole of it runs again, a few
times, before the caller sees the conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loyalo.application.context import AppContext
from loyalo.application.ports import TransientConflict, UnitOfWork
from loyalo.domain.errors import DomainError, IdempotencyKeyReused, InvalidInput

Action = Callable[[UnitOfWork], tuple[int, dict[str, Any]]]
RenderError = Callable[[DomainError], tuple[int, dict[str, Any]]]

MAX_KEY_LENGTH = 255
ATTEMPTS = 3  # a deadlock's loser runs again after the winner commits


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


class IdempotentRunner:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def run(
        self,
        scope: str,
        key: str | None,
        request_print: str,
        action: Action,
        render_error: RenderError,
    ) -> Outcome:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._run_once(scope, key, request_print, action, render_error)
            except TransientConflict:
                if attempt == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _run_once(
        self,
        scope: str,
        key: str | None,
        request_print: str,
        action: Action,
        render_error: RenderError,
    ) -> Outcome:
        if key is None:
            with self._ctx.uow() as uow:
                status, body = action(uow)
                uow.commit()
            return Outcome(status, body, replayed=False)
        if not 0 < len(key) <= MAX_KEY_LENGTH:
            raise InvalidInput(f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
        with self._ctx.uow() as uow:
            stored = uow.idempotency.claim(scope, key, request_print, self._ctx.clock.now())
            if stored is not None:
                if stored.fingerprint != request_print:
                    raise IdempotencyKeyReused(
                        "this Idempotency-Key was used for a different request", key=key
                    )
                return Outcome(stored.status_code, stored.body, replayed=True)
            try:
                with uow.savepoint():
                    status, body = action(uow)
            except DomainError as error:
                status, body = render_error(error)
            uow.idempotency.complete(scope, key, status, body)
            uow.commit()
        return Outcome(status, body, replayed=False)
