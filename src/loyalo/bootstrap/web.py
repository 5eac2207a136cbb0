"""The HTTP app wired to storage, with the job scheduler running beside it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Literal

import anyio.to_thread
from fastapi import FastAPI

from loyalo.adapters.cards.qr import card_png, card_svg
from loyalo.adapters.http.app import create_app
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.programme_files import parse_programme
from loyalo.application.jobs import run_due
from loyalo.bootstrap.container import Container

log = logging.getLogger("loyalo.scheduler")


def render_card(card_number: str, fmt: Literal["svg", "png"]) -> bytes:
    return card_svg(card_number) if fmt == "svg" else card_png(card_number)


def http_services(container: Container) -> HttpServices:
    return HttpServices(
        ctx=container.ctx,
        members=container.members,
        purchases=container.purchases,
        events=container.events,
        tiers=container.tiers,
        programmes=container.programmes,
        reservations=container.reservations,
        adjustments=container.adjustments,
        access=container.access,
        idempotent=container.idempotent,
        wallets=container.wallets,
        passes=container.passes,
        memberships=container.memberships,
        partners=container.partners,
        gamification=container.gamification,
        referrals=container.referrals,
        rewards=container.rewards,
        render_card=render_card,
        parse_programme=parse_programme,
        gift_cards=container.gift_cards,
        coupons=container.coupons,
        clv=container.clv,
        finance=container.finance,
        analytics=container.analytics,
        report=container.report,
    )


async def _scheduler(container: Container, interval: float) -> None:
    """Expire holds and release matured points; jobs are idempotent, so a
    concurrent ``loyalo jobs run`` from cron does no harm."""
    while True:
        await asyncio.sleep(interval)
        try:
            report = await asyncio.to_thread(run_due, container.ctx)
            if report.entries_written:
                log.info("jobs: %s", report)
        except Exception:
            log.exception("scheduled jobs failed; retrying next interval")


def build_app(container: Container, *, scheduler: bool = True) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The endpoints are synchronous: each request runs on a worker thread of this
        # event loop's pool, whose size bounds how many are served at once.
        threads = anyio.to_thread.current_default_thread_limiter()
        threads.total_tokens = container.settings.http_threads
        task = None
        if scheduler and container.settings.scheduler_interval_seconds > 0:
            task = asyncio.create_task(
                _scheduler(container, container.settings.scheduler_interval_seconds)
            )
        try:
            yield
        finally:
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return create_app(http_services(container), lifespan=lifespan)


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from LOYALO_*."""
    from loyalo.bootstrap.container import build

    return build_app(build())
