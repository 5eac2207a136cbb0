"""Races with every attempt in flight at once: a thread per task, released by one barrier,
against a live server that lets them all in.

Three limits stand between a test's threads and the database, and each is opened up to
``ATTEMPTS``: the HTTP client's connection pool (``race_client``), the server's worker
threads (``Settings.http_threads``; the endpoints are synchronous) and the database pool.
PostgreSQL's ``max_connections`` caps the last one (100 by default, shared with whoever
else uses the server, and with the other pytest-xdist workers), so ``race_settings`` sizes
the pool to the room the server has: every request is in flight and holds its worker
thread, and at most that many hold a database connection at once while the rest wait
for one, as behind any real pool.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import httpx
from sqlalchemy import create_engine, text

from loyalo.bootstrap.settings import Settings

T = TypeVar("T")

ATTEMPTS = 200  # the most tasks one race releases at once
HEADROOM = 20  # connections left to everyone else: the checks' engine, psql, another test run
MIN_CONNECTIONS = 10
RELEASE_TIMEOUT = 30.0  # seconds for every thread to reach the gate
RESULT_TIMEOUT = 120.0  # seconds for the slowest task once released


def race(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Run each task on its own thread, all released together; the results in order.

    Every thread is started and parked on the barrier before any task begins, so all of
    them are in flight at once. A task's exception is raised here, after every thread
    has finished.
    """
    if len(tasks) > ATTEMPTS:
        raise ValueError(f"a race releases at most {ATTEMPTS} tasks at once")
    gate = threading.Barrier(len(tasks))
    results: dict[int, T] = {}
    errors: dict[int, BaseException] = {}

    def run(index: int, task: Callable[[], T]) -> None:
        try:
            gate.wait(timeout=RELEASE_TIMEOUT)
            results[index] = task()
        except BaseException as error:  # reported in the caller's thread
            errors[index] = error

    threads = [
        threading.Thread(target=run, args=(index, task), daemon=True)
        for index, task in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=RELEASE_TIMEOUT + RESULT_TIMEOUT)
        if thread.is_alive():
            raise TimeoutError("a raced task did not finish")
    if errors:
        raise errors[min(errors)]
    return [results[index] for index in range(len(tasks))]


def database_connections(postgres_url: str) -> int:
    """The connections a race may open: as many as its attempts, if the server has room.

    Under pytest-xdist every worker may be racing at the same moment, each on its own
    database of the same server: a worker takes its share of ``max_connections`` only.
    """
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            limit = int(connection.execute(text("show max_connections")).scalar_one())
            in_use = int(
                connection.execute(text("select count(*) from pg_stat_activity")).scalar_one()
            )
    finally:
        engine.dispose()
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    share = (limit - HEADROOM) // workers
    return max(MIN_CONNECTIONS, min(ATTEMPTS, share, limit - in_use - HEADROOM))


def race_settings(postgres_url: str, data_dir: Path) -> Settings:
    """A server that takes ``ATTEMPTS`` requests at once, on as many connections as fit."""
    # the pool opens db_pool_size connections and as many again under load
    pool_size = database_connections(postgres_url) // 2
    return Settings(
        data_dir=data_dir,
        database_url=postgres_url,
        db_pool_size=pool_size,
        http_threads=ATTEMPTS,
    )


def race_client(base_url: str, token: str) -> httpx.Client:
    """A client that keeps ``ATTEMPTS`` connections open at once, a new one per request.

    ``Connection: close``: no connection waits idle in the pool between requests. With
    idle connections, a pool pass by one of the racing threads may close an idle
    connection that another pass has just handed to a waiting thread (found expired, its
    keep-alive having run out while the test checked the previous race), and that thread
    then reads from a closed socket ("Bad file descriptor", "Server disconnected").
    """
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}", "Connection": "close"},
        timeout=RESULT_TIMEOUT,
        limits=httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS),
    )
