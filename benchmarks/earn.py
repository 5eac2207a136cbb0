"""Earning through the HTTP API, against a raw TPC-B-like baseline on the same stack.

What it does (see docs/BENCHMARKS.md):

1. creates a fresh PostgreSQL database (``loyalo_bench``), migrates it, enrols
   ``--members`` members (external ids ``bench-1`` … ``bench-N``) and a ``pos`` key;
2. serves the product app (``build_app``) plus one extra benchmark-only endpoint,
   ``POST /bench/raw``: the same FastAPI stack, sync-endpoint threadpool, API-key
   dependency, SQLAlchemy engine and psycopg driver, doing one TPC-B-like
   transaction (UPDATE a balance row, INSERT a history row) and nothing else;
   the server is ``uvicorn --factory benchmarks.earn:bench_app --workers W`` in
   its own processes;
3. drives load from a separate process, ``wrk`` with a Lua script (or, when wrk is
   missing, an asyncio + httpx load generator): raw, then purchases, then raw
   again, each after a warm-up; every purchase has a unique receipt id and a random
   member, 2-3 lines, a total equal to the sum of the lines;
4. prints throughput and p50/p99 latency of both and their ratios, checks the
   ledger (sum of postings is zero, rows written match the 2xx responses,
   ``verify_ledger`` on every member) and drops the database unless ``--keep``.

Run: ``.venv/bin/python benchmarks/earn.py`` (``make bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from sqlalchemy import Engine, create_engine, text

from loyalo.adapters.http.security import CallerDep
from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.migrate import upgrade
from loyalo.application.audit import verify_ledger
from loyalo.application.members import MemberDraft
from loyalo.bootstrap.container import build
from loyalo.bootstrap.settings import Settings
from loyalo.bootstrap.web import build_app
from loyalo.domain.access.roles import Capability, Role

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("LOYALO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASE = "loyalo_bench"
STORE = "bench"
WRK_INSTALL = "apt-get install -y wrk   (Debian/Ubuntu; macOS: brew install wrk)"


# --- the server side: the product app plus a raw baseline endpoint --------------------------


class RawIn(BaseModel):
    account: int
    delta: int


class RawOut(BaseModel):
    account: int
    balance: int


def raw_router(engine: Engine) -> APIRouter:
    """One TPC-B-like transaction behind the same HTTP stack and auth as the API."""
    router = APIRouter(prefix="/bench", tags=["benchmark"])

    @router.post("/raw", status_code=201, response_model=RawOut)
    def raw(body: RawIn, caller: CallerDep) -> RawOut:
        caller.require(Capability.PURCHASES_WRITE)
        with engine.begin() as connection:
            balance = connection.execute(
                text(
                    "UPDATE bench_accounts SET balance = balance + :d WHERE id = :id "
                    "RETURNING balance"
                ),
                {"d": body.delta, "id": body.account},
            ).scalar_one()
            connection.execute(
                text("INSERT INTO bench_history (account_id, delta, at) VALUES (:id, :d, now())"),
                {"d": body.delta, "id": body.account},
            )
        return RawOut(account=body.account, balance=balance)

    return router


def bench_app() -> FastAPI:
    """Factory for ``uvicorn --factory benchmarks.earn:bench_app`` (settings from LOYALO_*),
    exactly what ``loyalo serve --workers`` builds, plus ``POST /bench/raw``."""
    container = build()
    app = build_app(container)
    app.include_router(raw_router(container.engine))
    return app


# --- the database ---------------------------------------------------------------------------


def recreate_database(name: str) -> str:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}"


def drop_database(name: str) -> None:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, data_dir: Path, members: int) -> str:
    """Migrate, create the baseline tables, enrol members; return a pos API key."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE bench_accounts (id integer PRIMARY KEY, balance bigint NOT NULL)")
        )
        connection.execute(
            text(
                "CREATE TABLE bench_history (id bigserial PRIMARY KEY, account_id integer NOT NULL,"
                " delta integer NOT NULL, at timestamptz NOT NULL)"
            )
        )
        connection.execute(
            text("INSERT INTO bench_accounts SELECT g, 0 FROM generate_series(1, :n) g"),
            {"n": members},
        )
    engine.dispose()
    container = build(Settings(database_url=url, data_dir=data_dir, db_pool_size=2))
    try:
        batch = 500
        for start in range(1, members + 1, batch):
            with container.ctx.uow() as uow:
                for n in range(start, min(start + batch, members + 1)):
                    draft = MemberDraft(external_id=f"bench-{n}", first_name=f"Bench {n}")
                    container.members.enrol(uow, draft)
                uow.commit()
        return container.access.create_key("benchmark till", Role.POS).token
    finally:
        container.close()
    # ANALYZE happens below, once the rows are in.


def analyze(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def scalar(url: str, sql: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar()
    engine.dispose()
    return int(value or 0)


# --- the server process ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    url: str, data_dir: Path, workers: int, port: int, pool: int
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        LOYALO_DATABASE_URL=url,
        LOYALO_DATA_DIR=str(data_dir),
        LOYALO_DB_POOL_SIZE=str(pool),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "benchmarks.earn:bench_app",
        "--factory",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    stop_server(process)
    raise SystemExit("the server did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- the load: wrk + Lua, or a Python fallback ----------------------------------------------

LUA = r"""
-- generated by benchmarks/earn.py
local scenario = "{scenario}"
local tag = "{tag}"
local members = {members}
local token = "{token}"
local threads = {{}}
-- globals, not locals: done() reads them from each thread with thread:get()
counter = 0
ok = 0
bad = 0
last_error = ""

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + tid)
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

local function money(minor)
  return string.format("%d.%02d", math.floor(minor / 100), minor % 100)
end

function request()
  counter = counter + 1
  if scenario == "raw" then
    local body = string.format('{{"account":%d,"delta":%d}}',
      math.random(1, members), math.random(-5000, 5000))
    return wrk.format("POST", "/bench/raw", nil, body)
  end
  local n = math.random(2, 3)
  local lines = {{}}
  local total = 0
  for i = 1, n do
    local quantity = math.random(1, 3)
    local price = math.random(99, 19999)
    total = total + quantity * price
    lines[i] = string.format('{{"sku":"sku-%d","name":"Item %d","quantity":%d,"unit_price":"%s"}}',
      i * 1000 + math.random(1, 999), i, quantity, money(price))
  end
  local body = string.format(
    '{{"member":"ext:bench-%d","channel":"pos","store_id":"{store}","receipt_id":"%s-%d-%d",' ..
    '"occurred_at":"2026-11-22T10:00:00+00:00","currency":"PLN","lines":[%s],"total":"%s"}}',
    math.random(1, members), tag, tid, counter, table.concat(lines, ","), money(total))
  return wrk.format("POST", "/v1/purchases", nil, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok = ok + 1
  else
    bad = bad + 1
    last_error = string.gsub(status .. " " .. string.sub(body, 1, 300), '[%c"\\]', " ")
  end
end

function done(summary, latency, requests)
  local ok_total, bad_total, err = 0, 0, ""
  for _, t in ipairs(threads) do
    ok_total = ok_total + t:get("ok")
    bad_total = bad_total + t:get("bad")
    local e = t:get("last_error")
    if e ~= "" then err = e end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {{"requests":%d,"duration_us":%d,"ok":%d,"non_2xx":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,' ..
    '"mean_us":%.1f,"max_us":%d,"last_error":"%s"}}\n',
    summary.requests, summary.duration, ok_total, bad_total,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max, err))
end
"""


@dataclass
class Run:
    scenario: str
    requests: int
    seconds: float
    ok: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p99_ms: float
    last_error: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


Driver = Callable[[int, str, str, float, argparse.Namespace, str], "Run"]


@dataclass
class Totals:
    ok: dict[str, int] = field(default_factory=lambda: {"raw": 0, "purchase": 0})
    runs: dict[str, int] = field(default_factory=lambda: {"raw": 0, "purchase": 0})
    errors: list[str] = field(default_factory=list)


def run_wrk(
    port: int, scenario: str, tag: str, seconds: float, args: argparse.Namespace, token: str
) -> Run:
    script = LUA.format(scenario=scenario, tag=tag, members=args.members, token=token, store=STORE)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        command = [
            "wrk",
            f"-t{args.wrk_threads}",
            f"-c{args.connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            path,
            f"http://127.0.0.1:{port}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    finally:
        os.unlink(path)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Run(
        scenario=scenario,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        ok=data["ok"],
        non_2xx=data["non_2xx"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        last_error=data["last_error"],
    )


def _money(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def _body(scenario: str, members: int, tag: str, worker: int, n: int) -> tuple[str, bytes]:
    if scenario == "raw":
        doc: dict[str, Any] = {
            "account": random.randint(1, members),
            "delta": random.randint(-5000, 5000),
        }
        return "/bench/raw", json.dumps(doc).encode()
    lines, total = [], 0
    for i in range(1, random.randint(2, 3) + 1):
        quantity, price = random.randint(1, 3), random.randint(99, 19999)
        total += quantity * price
        lines.append(
            {
                "sku": f"sku-{i * 1000 + random.randint(1, 999)}",
                "name": f"Item {i}",
                "quantity": quantity,
                "unit_price": _money(price),
            }
        )
    doc = {
        "member": f"ext:bench-{random.randint(1, members)}",
        "channel": "pos",
        "store_id": STORE,
        "receipt_id": f"{tag}-{worker}-{n}",
        "occurred_at": "2026-11-22T10:00:00+00:00",
        "currency": "PLN",
        "lines": lines,
        "total": _money(total),
    }
    return "/v1/purchases", json.dumps(doc).encode()


async def _python_load(config: dict[str, Any]) -> dict[str, Any]:
    import httpx

    connections = config["connections"]
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Authorization": f"Bearer {config['token']}", "Content-Type": "application/json"}
    latencies: list[float] = []
    counts = {"ok": 0, "non_2xx": 0, "errors": 0}
    last_error = ""
    deadline = time.perf_counter() + config["seconds"]

    async with httpx.AsyncClient(
        base_url=config["base_url"], headers=headers, limits=limits, timeout=30
    ) as client:

        async def worker(index: int) -> None:
            nonlocal last_error
            n = 0
            while time.perf_counter() < deadline:
                n += 1
                path, body = _body(config["scenario"], config["members"], config["tag"], index, n)
                started = time.perf_counter()
                try:
                    response = await client.post(path, content=body)
                except httpx.HTTPError as exc:
                    counts["errors"] += 1
                    last_error = repr(exc)
                    continue
                latencies.append(time.perf_counter() - started)
                if 200 <= response.status_code < 300:
                    counts["ok"] += 1
                else:
                    counts["non_2xx"] += 1
                    last_error = f"{response.status_code} {response.text[:300]}"

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": elapsed,
        **counts,
        "p50_ms": pct(50),
        "p99_ms": pct(99),
        "last_error": last_error,
    }


def run_python(
    port: int, scenario: str, tag: str, seconds: float, args: argparse.Namespace, token: str
) -> Run:
    config = {
        "base_url": f"http://127.0.0.1:{port}",
        "scenario": scenario,
        "tag": tag,
        "seconds": seconds,
        "connections": args.connections,
        "members": args.members,
        "token": token,
    }
    done = subprocess.run(
        [sys.executable, __file__, "--loadgen", json.dumps(config)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"the load generator failed:\n{done.stderr}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(
        scenario=scenario,
        requests=data["requests"],
        seconds=data["seconds"],
        ok=data["ok"],
        non_2xx=data["non_2xx"],
        socket_errors=data["errors"],
        p50_ms=data["p50_ms"],
        p99_ms=data["p99_ms"],
        last_error=data["last_error"],
    )


# --- the report -----------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def describe(run: Run) -> str:
    line = (
        f"  {run.scenario:<8} {run.rate:8.0f} req/s   p50 {run.p50_ms:6.1f} ms   "
        f"p99 {run.p99_ms:6.1f} ms   ({run.requests} requests in {run.seconds:.1f} s; "
        f"2xx {run.ok}, non-2xx {run.non_2xx}, socket errors {run.socket_errors})"
    )
    if run.last_error:
        line += f"\n           last error: {run.last_error}"
    return line


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--members", type=int, default=2000, help="members (and raw accounts)")
    parser.add_argument("--pool-size", type=int, default=20, help="LOYALO_DB_POOL_SIZE")
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--load", choices=("auto", "wrk", "python"), default="auto", help="load generator"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--loadgen", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def choose_driver(load: str) -> tuple[Driver, str]:
    has_wrk = shutil.which("wrk") is not None
    if load == "wrk" and not has_wrk:
        raise SystemExit(f"wrk is not installed: {WRK_INSTALL}")
    if has_wrk and load != "python":
        return run_wrk, "wrk (Lua script)"
    if load == "auto":
        print(
            "note: wrk not found, using the slower Python load generator "
            f"(which shares the CPU with the server). Install wrk: {WRK_INSTALL}",
            file=sys.stderr,
        )
    return run_python, "Python asyncio + httpx"


def measure(
    drive: Driver, port: int, token: str, args: argparse.Namespace
) -> tuple[list[Run], Totals]:
    """Raw, purchases, raw again; each after a warm-up whose requests count for the checks."""
    totals = Totals()
    runs: list[Run] = []
    for index, scenario in enumerate(("raw", "purchase", "raw")):
        for phase, seconds in (("warm", args.warmup), ("run", args.duration)):
            if seconds <= 0:
                continue
            result = drive(port, scenario, f"{phase}{index}", seconds, args, token)
            totals.ok[scenario] += result.ok
            totals.runs[scenario] += 1
            if result.non_2xx or result.socket_errors:
                totals.errors.append(describe(result))
            if phase == "run":
                runs.append(result)
                print(describe(result), flush=True)
    return runs, totals


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.loadgen:  # the Python fallback, in its own process
        print(json.dumps(asyncio.run(_python_load(json.loads(args.loadgen)))))
        return 0
    drive, generator = choose_driver(args.load)

    load1 = os.getloadavg()[0]
    print(f"machine: {machine()}; load average before: {load1:.2f}")
    if load1 > 0.5:
        print("warning: the machine is not idle; figures will be lower and noisier")

    data_dir = Path(tempfile.mkdtemp(prefix="loyalo-bench-"))
    url = recreate_database(DATABASE)
    server = None
    try:
        started = time.perf_counter()
        token = prepare(url, data_dir, args.members)
        analyze(url)
        took = time.perf_counter() - started
        print(f"prepared {DATABASE}: {args.members} members in {took:.1f} s")
        port = free_port()
        server = start_server(url, data_dir, args.workers, port, args.pool_size)
        print(
            f"server: uvicorn --workers {args.workers}, pool {args.pool_size}+{args.pool_size}; "
            f"load: {generator}, {args.connections} connections, "
            f"{args.warmup} s warm-up + {args.duration} s per run"
        )
        runs, totals = measure(drive, port, token, args)
    except BaseException:
        if server is not None:
            stop_server(server)
            server = None
        if not args.keep:
            drop_database(DATABASE)
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    finally:
        if server is not None:
            stop_server(server)

    try:
        valid = report(url, args, runs, totals)
    finally:
        if args.keep:
            print(f"kept database {url}")
        else:
            drop_database(DATABASE)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if valid else 1


def markdown(
    args: argparse.Namespace,
    raw_rate: float,
    raw_p50: float,
    raw_p99: float,
    purchase: Run,
    raw_non_2xx: int,
) -> str:
    ratio = purchase.rate / raw_rate
    rows = [
        "| Scenario | Requests/s | p50 (ms) | p99 (ms) | non-2xx |",
        "|---|---:|---:|---:|---:|",
        f"| Raw baseline (mean of 2 runs) | {raw_rate:,.0f} | {raw_p50:.1f} | {raw_p99:.1f} "
        f"| {raw_non_2xx} |",
        f"| Purchases (`POST /v1/purchases`) | {purchase.rate:,.0f} | {purchase.p50_ms:.1f} "
        f"| {purchase.p99_ms:.1f} | {purchase.non_2xx} |",
        f"| **Purchases ÷ raw** | **{ratio:.2f}** | {purchase.p50_ms / raw_p50:.2f} "
        f"| {purchase.p99_ms / raw_p99:.2f} | |",
    ]
    heading = (
        f"Markdown ({dt.date.today().isoformat()}; {machine()}; {args.workers} worker(s), "
        f"{args.connections} connections, {args.duration} s runs):"
    )
    return "\n" + heading + "\n\n" + "\n".join(rows) + "\n"


def report(url: str, args: argparse.Namespace, runs: list[Run], totals: Totals) -> bool:
    raw = [r for r in runs if r.scenario == "raw"]
    (purchase,) = [r for r in runs if r.scenario == "purchase"]
    raw_rate = statistics.mean(r.rate for r in raw)
    raw_p50 = statistics.mean(r.p50_ms for r in raw)
    raw_p99 = statistics.mean(r.p99_ms for r in raw)
    ratio = purchase.rate / raw_rate

    print("\nchecks:")
    valid = True
    if totals.errors:
        valid = False
        print("  INVALID: some requests failed:\n" + "\n".join(totals.errors))
    purchases = scalar(url, f"SELECT count(*) FROM purchases WHERE store_id = '{STORE}'")
    history = scalar(url, "SELECT count(*) FROM bench_history")
    postings_sum = scalar(url, "SELECT coalesce(sum(points), 0) FROM postings")
    entries = scalar(url, "SELECT count(*) FROM journal_entries")
    # wrk stops counting at the deadline; requests still in flight then may commit
    # unseen, so the rows can exceed the 2xx count by at most one per connection per run.
    for name, rows, scenario in (
        ("purchases", purchases, "purchase"),
        ("bench_history", history, "raw"),
    ):
        seen, slack = totals.ok[scenario], args.connections * totals.runs[scenario]
        fine = seen <= rows <= seen + slack
        valid &= fine
        print(
            f"  {name}: {rows} rows, {seen} 2xx responses seen "
            f"(+{rows - seen} in flight at cut-off, at most {slack}) "
            f"{'ok' if fine else 'MISMATCH'}"
        )
    valid &= entries == purchases
    print(f"  journal entries: {entries} (one per purchase: {'ok' if valid else 'MISMATCH'})")
    print(f"  sum of all postings: {postings_sum} {'ok' if postings_sum == 0 else 'NOT ZERO'}")
    valid &= postings_sum == 0
    container = build(Settings(database_url=url, data_dir=Path(tempfile.gettempdir())))
    try:
        started = time.perf_counter()
        verified = verify_ledger(container.ctx)
    finally:
        container.close()
    print(
        f"  verify_ledger: {verified.members_checked} members, {len(verified.findings)} findings "
        f"in {time.perf_counter() - started:.1f} s {'ok' if verified.ok else 'FAILED'}"
    )
    valid &= verified.ok

    print("\nresults:")
    print(f"  purchases/s          {purchase.rate:8.0f}")
    print(f"  raw req/s (mean)     {raw_rate:8.0f}   ({' / '.join(f'{r.rate:.0f}' for r in raw)})")
    print(f"  throughput ratio     {ratio:8.2f}   (purchases/s ÷ raw req/s; target ≥ 0.6)")
    print(f"  p50 ratio            {purchase.p50_ms / raw_p50:8.2f}   (purchase p50 ÷ raw p50)")
    print(f"  p99 ratio            {purchase.p99_ms / raw_p99:8.2f}   (purchase p99 ÷ raw p99)")

    print(markdown(args, raw_rate, raw_p50, raw_p99, purchase, sum(r.non_2xx for r in raw)))
    print("VALID RUN" if valid else "INVALID RUN: see the checks above")
    return valid


if __name__ == "__main__":
    sys.exit(main())
