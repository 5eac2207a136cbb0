"""RFC 9457 problem details: every error leaves as application/problem+json.

A business refusal has its own stable ``type``; 422 is only for a payload that
does not match the schema or a value the domain rejects as invalid; 500 is a bug.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from loyalo.application.ports import TransientConflict
from loyalo.domain.errors import DomainError, ErrorKind

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "/problems/"

log = logging.getLogger("loyalo.http")

STATUS_BY_KIND = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.REFUSED: 409,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
}


RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    extensions: dict[str, Any] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    for name, value in (extensions or {}).items():
        if value is not None and name not in RESERVED_MEMBERS:
            body[name] = value
    return body


def render_domain_error(error: DomainError) -> tuple[int, dict[str, Any]]:
    status = STATUS_BY_KIND[error.kind]
    return status, problem(status, error.slug, error.title, error.detail, error.extensions)


def problem_response(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        status, body = render_domain_error(error)
        body["instance"] = request.url.path
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return problem_response(status, body, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"location": list(e.get("loc", ())), "message": e.get("msg"), "type": e.get("type")}
            for e in error.errors()
        ]
        body = problem(
            422,
            "validation-error",
            "The request does not match the schema",
            f"{len(errors)} field(s) are invalid",
            {"errors": errors},
            request.url.path,
        )
        return problem_response(422, body)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
        body = problem(error.status_code, slug, str(error.detail), instance=request.url.path)
        return problem_response(error.status_code, body)

    @app.exception_handler(TransientConflict)
    async def _transient(request: Request, error: TransientConflict) -> JSONResponse:
        body = problem(
            503,
            "transient-conflict",
            "The store broke a deadlock with this request; nothing was written",
            "Send the same request again (with the same Idempotency-Key).",
            instance=request.url.path,
        )
        return problem_response(503, body, {"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _bug(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path, exc_info=error)
        body = problem(500, "internal-error", "Internal error", instance=request.url.path)
        return problem_response(500, body)
