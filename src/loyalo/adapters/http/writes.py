"""Every write goes through here: one transaction, optional Idempotency-Key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from loyalo.adapters.http.problems import PROBLEM_MEDIA_TYPE, render_domain_error
from loyalo.adapters.http.services import HttpServices
from loyalo.application.fingerprint import fingerprint
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Principal

IDEMPOTENCY_HEADER = "Idempotency-Key"


def run_write(
    request: Request,
    svc: HttpServices,
    caller: Principal,
    payload: BaseModel | None,
    action: Callable[[UnitOfWork], tuple[int, BaseModel]],
) -> JSONResponse:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    request_print = fingerprint(
        {
            "method": request.method,
            "path": request.url.path,
            "body": payload.model_dump(mode="json") if payload else None,
        }
    )

    def as_json(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
        status, model = action(uow)
        return status, model.model_dump(mode="json")

    outcome = svc.idempotent.run(caller.scope, key, request_print, as_json, render_domain_error)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    is_problem = outcome.status_code >= 400
    if is_problem:
        outcome.body.setdefault("instance", request.url.path)
    return JSONResponse(
        outcome.body,
        status_code=outcome.status_code,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE if is_problem else None,
    )
