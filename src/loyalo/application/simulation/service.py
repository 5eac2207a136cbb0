"""``loyalo programme simulate``: what a candidate programme would have given and cost.

The stored history feeds two replays, record by record: the live programme (the
version in force, or the one asked for) and the candidate. Both start from the
first stored record; before the period both run the live programme, so on the
first day of the period the candidate takes over from the tiers, limits, stamps
and budgets the members really had. Nothing is written: the history is read
through read-only snapshots.

A long history can be replayed in two processes, one side each (the engine is
pure Python: one core per side), when a core is free: each reads its own
snapshot, and if the two did not see the same records (a sale recorded in
between), the candidate is replayed again over the first snapshot, so both
sides always see the same history.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from loyalo.application.context import AppContext
from loyalo.application.programmes import ProgrammeService
from loyalo.application.simulation.ports import HistoryCounts, HistoryReader, HistorySource
from loyalo.domain.errors import CurrencyMismatch, InvalidInput
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.engine.compiled import CompiledProgramme, compile_programme
from loyalo.domain.programme.simulation.comparison import (
    DEFAULT_REDEMPTION_RATE,
    Comparison,
    Side,
    compare,
)
from loyalo.domain.programme.simulation.figures import SideFigures
from loyalo.domain.programme.simulation.history import (
    MemberFacts,
    PastRecord,
    PastReturn,
    replay_order,
)
from loyalo.domain.programme.simulation.replay import Replay

Progress = Callable[[int, int], None]  # (records replayed, records in all)

log = logging.getLogger("loyalo.backtest")

CHUNK = 2_000  # records between progress reports and member look-ups
PARALLEL_FROM = 50_000  # records; below this, starting a second process costs more than it saves
FREE_CORES = 1.5  # idle cores (cores less the load average) a second process needs


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    candidate: ProgrammeDocument
    start: date
    end: date  # the last day, included
    against: int | None = None  # the live version; None: the version in force
    redemption_rate: Decimal = DEFAULT_REDEMPTION_RATE
    top: int = 10
    processes: int | None = None  # 1 or 2; None: 2 for a long history when a core is free


@dataclass(frozen=True, slots=True)
class _Plan:
    live: CompiledProgramme
    candidate: CompiledProgramme
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True, slots=True)
class CandidateJob:
    """What a second process needs to replay the candidate: documents, not closures."""

    source: HistorySource
    live: ProgrammeDocument
    version: int
    candidate: ProgrammeDocument
    start_at: datetime
    end_at: datetime


class BacktestService:
    def __init__(
        self, ctx: AppContext, programmes: ProgrammeService, history: HistorySource
    ) -> None:
        self._ctx = ctx
        self._programmes = programmes
        self._history = history

    def run(self, request: BacktestRequest, progress: Progress | None = None) -> Comparison:
        plan = self._plan(request)
        report = progress or _quiet
        with ExitStack() as stack, self._history() as reader:
            counts = reader.counts(plan.end_at)
            helper = self._second_process(stack, plan, request, counts.records)
            returned = reader.returned_purchases(plan.end_at)
            members: dict[str, MemberFacts] = {}
            live = Replay(plan.live, start=plan.start_at, members=members, returned=returned)
            candidate = Replay(
                plan.candidate,
                start=plan.start_at,
                members=members,
                returned=returned,
                before=plan.live,
            )
            replays = [live] if helper is not None else [live, candidate]
            replayed = replay_history(reader, replays, members, plan.end_at, report, counts)
            figures = _helped(helper, replayed)
            if figures is None:  # no helper, or it failed, or it saw another history
                if helper is not None:
                    replay_history(reader, [candidate], members, plan.end_at, _quiet, counts)
                figures = candidate.finish(plan.end_at)
            ledger = reader.ledger(plan.start_at, plan.end_at)
        return compare(
            Side("live", plan.live.version, plan.live.document, live.finish(plan.end_at)),
            Side("candidate", None, plan.candidate.document, figures),
            ledger,
            start=request.start,
            end=request.end,
            redemption_rate=request.redemption_rate,
            top=request.top,
        )

    def _second_process(
        self, stack: ExitStack, plan: _Plan, request: BacktestRequest, records: int
    ) -> Future[tuple[int, SideFigures]] | None:
        """The candidate's replay in a second process, when that is worth it and possible.

        Each process reads its own snapshot; the records each replayed are compared.
        """
        if _processes(request, records) < 2:
            return None
        job = CandidateJob(
            self._history,
            plan.live.document,
            plan.live.version,
            plan.candidate.document,
            plan.start_at,
            plan.end_at,
        )
        try:
            pickle.dumps(job)
        except (pickle.PicklingError, TypeError, AttributeError):  # e.g. an in-memory database
            return None
        pool = stack.enter_context(
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        )
        return pool.submit(replay_candidate, job)

    def _plan(self, request: BacktestRequest) -> _Plan:
        _check(request)
        with self._ctx.uow() as uow:
            version = request.against
            if version is None:
                version = self._programmes.active(uow).version
            document = self._programmes.document(uow, version)
        candidate = request.candidate
        if candidate.currency != document.currency:
            raise CurrencyMismatch(
                f"the candidate runs in {candidate.currency}, the history in {document.currency}"
            )
        live = compile_programme(document, version)
        zone = live.zone
        return _Plan(
            live=live,
            candidate=compile_programme(candidate, version),
            start_at=datetime.combine(request.start, time(0), zone),
            end_at=datetime.combine(request.end + timedelta(days=1), time(0), zone),
        )


def _processes(request: BacktestRequest, records: int) -> int:
    """Two only when there is a core to spare: on a busy machine a second process only
    adds its own read of the history (measured: docs/BENCHMARKS.md, "Backtest")."""
    if request.processes is not None:
        return request.processes
    if records < PARALLEL_FROM:
        return 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average on this system: do not guess
        return 1
    return 2 if (os.cpu_count() or 1) - busy >= FREE_CORES else 1


def _helped(helper: Future[tuple[int, SideFigures]] | None, replayed: int) -> SideFigures | None:
    """The second process's figures, when it replayed the very records this one did."""
    if helper is None:
        return None
    try:
        theirs, figures = helper.result()
    except (BrokenProcessPool, OSError) as exc:  # e.g. a script without a __main__ guard
        log.warning("the second process failed (%s); replaying the candidate here", exc)
        return None
    if theirs != replayed:  # a sale was recorded between the two snapshots
        return None
    return figures


def replay_candidate(job: CandidateJob) -> tuple[int, SideFigures]:
    """In the second process: the candidate's side, over its own snapshot."""
    live = compile_programme(job.live, job.version)
    candidate = compile_programme(job.candidate, job.version)
    with job.source() as reader:
        members: dict[str, MemberFacts] = {}
        replay = Replay(
            candidate,
            start=job.start_at,
            members=members,
            returned=reader.returned_purchases(job.end_at),
            before=live,
        )
        counts = reader.counts(job.end_at)
        replayed = replay_history(reader, [replay], members, job.end_at, _quiet, counts)
    return replayed, replay.finish(job.end_at)


def replay_history(
    reader: HistoryReader,
    replays: Sequence[Replay],
    members: dict[str, MemberFacts],
    until: datetime,
    report: Progress,
    counts: HistoryCounts,
) -> int:
    """Every record before ``until`` through every replay, in order; how many there were."""
    report(0, counts.records)
    done = 0
    for chunk in _chunks(records(reader, until), CHUNK):
        members.update(reader.members(_unknown(chunk, members)))
        for record in chunk:
            for replay in replays:
                replay.replay(record)
        done += len(chunk)
        report(done, max(done, counts.records))
    return done


def records(reader: HistoryReader, until: datetime) -> Iterator[PastRecord]:
    """Purchases, events and returns merged into one stream, in replay order."""
    streams: list[Iterable[PastRecord]] = [
        reader.purchases(until),
        reader.events(until),
        reader.returns(until),
    ]
    return heapq.merge(*streams, key=replay_order)


def _check(request: BacktestRequest) -> None:
    if request.start > request.end:
        raise InvalidInput(
            f"the period starts ({request.start}) after it ends ({request.end})", field="from"
        )
    if not Decimal(0) <= request.redemption_rate <= Decimal(1):
        raise InvalidInput(
            f"the redemption rate is a share between 0 and 1, not {request.redemption_rate}",
            field="redemption_rate",
        )
    if request.top < 0:
        raise InvalidInput("the number of top rules cannot be negative", field="top")
    if request.processes not in (None, 1, 2):
        raise InvalidInput("a backtest runs in 1 or 2 processes", field="processes")


def _chunks(items: Iterator[PastRecord], size: int) -> Iterator[list[PastRecord]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _unknown(chunk: list[PastRecord], members: dict[str, MemberFacts]) -> set[str]:
    return {
        record.member_id
        for record in chunk
        if not isinstance(record, PastReturn) and record.member_id not in members
    }


def _quiet(done: int, total: int) -> None:
    pass
