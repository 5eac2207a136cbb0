"""The FastAPI application: routers, problem handlers, offline docs."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from loyalo import __version__
from loyalo.adapters.http.docs import install_offline_docs
from loyalo.adapters.http.problems import install_problem_handlers
from loyalo.adapters.http.routers import (
    admin,
    analytics,
    checkout,
    clv,
    coupons,
    events,
    finance,
    gamification,
    giftcards,
    ledger,
    me,
    members,
    memberships,
    partner_till,
    partners,
    passes,
    problems_catalogue,
    programme,
    purchases,
    referrals,
    report,
    reservations,
    rewards,
    tiers,
)
from loyalo.adapters.http.schemas.common import ProblemOut
from loyalo.adapters.http.services import HttpServices

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]

DESCRIPTION = """
Loyalo's REST API: members and their cards, a double-entry points ledger,
purchases and returns, two-phase spending at the till.

* **Authentication**: `Authorization: Bearer <API key>`. Roles: `admin`, `pos`, `app`
  (an app key acts for one member named by `X-Member-Token`), `partner` (a partner
  merchant's key: `/v1/partner/...` for its own tills and reports only).
* **Idempotency**: every write accepts `Idempotency-Key`. The same key and body return
  the stored response (header `Idempotent-Replayed: true`); the same key with another
  body is refused with `/problems/idempotency-key-reused`.
* **Errors**: RFC 9457 `application/problem+json`, with a stable `type` per error.
* **Money**: decimal strings in the programme currency; points are integers.
"""


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "description": description}
    for status, description in (
        (401, "Missing or invalid credentials (problem+json)"),
        (403, "Not allowed for this caller (problem+json)"),
        (404, "Unknown member, purchase or reservation (problem+json)"),
        (409, "Refused: a conflict or a business rule (problem+json)"),
        (422, "Malformed or invalid input (problem+json)"),
    )
}


class Health(BaseModel):
    status: str
    version: str


def create_app(services: HttpServices, lifespan: Lifespan | None = None) -> FastAPI:
    app = FastAPI(
        title="Loyalo",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    install_problem_handlers(app)
    install_offline_docs(app)
    for module in (
        members,
        ledger,
        tiers,
        purchases,
        checkout,
        events,
        programme,
        reservations,
        me,
        passes,
        admin,
        giftcards,
        memberships,
        partners,
        partner_till,
        gamification,
        referrals,
        rewards,
        coupons,
        clv,
        finance,
        analytics,
        report,
    ):
        app.include_router(module.router, responses=PROBLEM_RESPONSES)
    app.include_router(problems_catalogue.router)

    @app.get("/healthz", response_model=Health, tags=["operations"], summary="Liveness")
    def health() -> Health:
        return Health(status="ok", version=__version__)

    return app
