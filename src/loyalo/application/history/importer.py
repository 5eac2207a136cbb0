"""``loyalo import purchases``: history through the same rules as a live till.

Each member's receipt is recorded by the same ``PurchaseService`` a till calls,
with the clock set to the receipt's time, so tiers, pending points, limits and
lot dates come out as they would have then. Returns are matched to the member's
earlier receipts (``domain/history/matching.py``) and recorded as returns, which
take back exactly the points the returned lines earned. Sales to non-members
and unmatched returns are kept for analytics and earn nothing.

Receipts are written in batches, one transaction each, with a savepoint per
receipt: a receipt that is refused is rolled back whole and reported, the others
stay. The run's checkpoint (how many receipts of the file are finished) is
written in the same transaction as the batch, so an interrupted import resumes
exactly after the last batch it committed; the receipt id (unique per store) is
a second guard that never lets a sale earn twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from loyalo.application.context import AppContext, new_id
from loyalo.application.history.ports import (
    HistoryRepository,
    HistorySource,
    ImportRun,
    UnmatchedReturn,
)
from loyalo.application.jobs import due_members, review_member, settle_member
from loyalo.application.members import MemberDraft, MemberService
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseService,
    ReturnCommand,
    ReturnLineRequest,
)
from loyalo.application.tiers import TierService
from loyalo.domain.errors import CurrencyMismatch, DomainError, InvalidHistory
from loyalo.domain.history.matching import match_return
from loyalo.domain.history.receipts import LineProblem, Receipt, group_receipts
from loyalo.domain.history.rows import LAYOUTS, BadRow, HistoryLine, RowReader, detect_layout
from loyalo.domain.members.identifiers import IdentifierKind, MemberRef
from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.engine.compiled import CompiledProgramme
from loyalo.domain.purchases.basket import Line


@dataclass(frozen=True, slots=True)
class ImportOptions:
    store_id: str = "history"  # receipts without a store of their own
    channel: str = "online"
    currency: str | None = None  # None: the programme's; otherwise it must match it
    batch_size: int = 200  # receipts per transaction
    window: int = 1000  # lines a receipt may be spread over


@dataclass(frozen=True, slots=True)
class ImportProgress:
    bytes_read: int
    bytes_total: int
    receipts: int


@dataclass(frozen=True, slots=True)
class ImportReport:
    run_id: str
    source: str
    counts: dict[str, int]
    seconds: float
    resumed_at: int  # receipts skipped because an earlier run finished them
    already_done: bool = False
    rejects: list[tuple[int, str, str]] = field(default_factory=list)  # first few


class ReplayClock:
    """The clock a replayed receipt sees: its own time, never going backwards."""

    def __init__(self) -> None:
        self._now: datetime | None = None

    def set(self, moment: datetime) -> None:
        if self._now is None or moment > self._now:
            self._now = moment

    def now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("the replay clock was read before a receipt set it")
        return self._now


_SHOWN_REJECTS = 20
_KNOWN_MEMBERS = 100_000
_DUE_AT_ONCE = 1_000_000  # members settled or reviewed in the one pass a day of history


class HistoryImporter:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def run(
        self,
        source: HistorySource,
        options: ImportOptions,
        progress: Callable[[ImportProgress], None] | None = None,
    ) -> ImportReport:
        started = perf_counter()
        with self._ctx.uow() as uow:
            programme = self._ctx.programmes.compiled(uow)
            document = programme.document
            if options.currency not in (None, document.currency):
                raise CurrencyMismatch(
                    f"the programme in force runs in {document.currency}, the file in "
                    f"{options.currency}: apply a programme in {options.currency} first"
                )
            run = self._run_for(uow, source, options)
            uow.commit()
        if run.finished_at is not None:
            return ImportReport(
                run.run_id, source.name, run.counts, 0.0, run.receipts_done, already_done=True
            )
        reader = RowReader(
            LAYOUTS[_layout(source)],
            currency_exponent(document.currency),
            ZoneInfo(document.timezone),
        )
        batch = _Batch(self._ctx, run, options, programme)
        receipts = group_receipts(_lines(source, reader), options.window)
        for position, receipt in enumerate(receipts):
            if position < run.receipts_done:
                continue
            batch.add(receipt)
            if len(batch) >= options.batch_size:
                batch.commit()
                if progress:
                    progress(ImportProgress(source.position(), source.size, batch.done))
        batch.commit(finished=True)
        if progress:
            progress(ImportProgress(source.size, source.size, batch.done))
        return ImportReport(
            run.run_id,
            source.name,
            dict(batch.counts),
            perf_counter() - started,
            run.receipts_done,
            rejects=batch.rejects,
        )

    def _run_for(self, uow: UnitOfWork, source: HistorySource, options: ImportOptions) -> ImportRun:
        history = uow.history
        existing = history.run_for(source.checksum)
        if existing is not None:
            return existing
        run = ImportRun(
            run_id=new_id(),
            source=source.name,
            checksum=source.checksum,
            started_at=self._ctx.clock.now(),
            options={"store_id": options.store_id, "channel": options.channel},
        )
        history.start_run(run)
        return run


class _Pinned:
    """The programme in force when the import started, for all of it (docs/PROGRAMME.md)."""

    def __init__(self, programme: CompiledProgramme) -> None:
        self._programme = programme

    def compiled(self, uow: UnitOfWork) -> CompiledProgramme:
        return self._programme


def _layout(source: HistorySource) -> Any:
    try:
        return detect_layout(source.header())
    except BadRow as exc:
        raise InvalidHistory(f"{source.name}: {exc}") from exc


def _lines(source: HistorySource, reader: RowReader) -> Iterator[HistoryLine | LineProblem]:
    receipt_column = reader.columns.receipt
    for line_no, row in source.rows():
        try:
            yield reader.read(line_no, row)
        except BadRow as exc:
            receipt = (row.get(receipt_column) or "").strip() or None
            yield LineProblem(line_no, receipt, str(exc))


class _Batch:
    """Receipts written in one transaction, with the run's checkpoint."""

    def __init__(
        self, ctx: AppContext, run: ImportRun, options: ImportOptions, programme: CompiledProgramme
    ):
        self._clock = ReplayClock()
        self._ctx = replace(ctx, clock=self._clock, programmes=_Pinned(programme))
        self._wall = ctx.clock
        self._members = MemberService(self._ctx)  # no listener: history earns no welcome bonus
        self._purchases = PurchaseService(self._ctx)
        self._tiers = TierService(self._ctx)
        self._programme = programme
        self._day: date | None = None  # the last day of history whose due work was done
        self._run = run
        self._options = options
        self._currency = programme.document.currency
        self.counts: Counter[str] = Counter(run.counts)
        self.done = run.receipts_done
        self.rejects: list[tuple[int, str, str]] = []
        self._pending: list[Receipt] = []
        self._known: dict[str, str] = {}  # external id -> member id, of committed receipts
        self._enrolled: dict[str, str] = {}  # enrolled by the receipt being recorded

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, receipt: Receipt) -> None:
        self._pending.append(receipt)

    def commit(self, *, finished: bool = False) -> None:
        with self._ctx.uow() as uow:
            history = uow.history
            counts = Counter(self.counts)
            rejects: list[tuple[int, str, str]] = []
            for receipt in self._pending:
                self._one(uow, history, receipt, counts, rejects)
            done = self.done + len(self._pending)
            history.checkpoint(
                self._run.run_id, self.done, done, dict(counts), self._wall.now(), finished
            )
            uow.commit()
        self.counts, self.done, self._pending = counts, done, []
        self.rejects.extend(rejects[: max(0, _SHOWN_REJECTS - len(self.rejects))])

    def _one(
        self,
        uow: UnitOfWork,
        history: HistoryRepository,
        receipt: Receipt,
        counts: Counter[str],
        rejects: list[tuple[int, str, str]],
    ) -> None:
        counts["lines"] += len(receipt.lines) + len(receipt.problems)
        if receipt.occurred_at is not None:
            self._catch_up(uow, receipt.occurred_at, counts)
        reason = _refusal(receipt)
        if reason is None:
            own: Counter[str] = Counter()  # counted only if the receipt is kept
            try:
                with uow.savepoint():
                    self._record(uow, history, receipt, own)
            except DomainError as exc:
                reason = exc.detail
            else:
                counts.update(own)
                self._remember(self._enrolled)
                return
            finally:
                self._enrolled = {}
        counts["rejected_receipts"] += 1
        counts["rejected_lines"] += len(receipt.lines) + len(receipt.problems)
        history.add_reject(self._run.run_id, receipt.first_line_no, receipt.receipt_id, reason)
        rejects.append((receipt.first_line_no, receipt.receipt_id, reason))

    def _catch_up(self, uow: UnitOfWork, moment: datetime, counts: Counter[str]) -> None:
        """What the scheduler would have done by this day's midnight: timers, expiry, reviews.

        A live programme runs its jobs all day long; a replayed history runs them once at
        the start of each day that has a receipt, before that receipt.
        """
        zone = self._programme.zone
        day = moment.astimezone(zone).date()
        if self._day is not None and day <= self._day:
            return
        self._day = day
        midnight = datetime.combine(day, time(), tzinfo=zone)
        programme = self._programme
        members, reviews = due_members(uow, programme, midnight, _DUE_AT_ONCE)
        for member_id in sorted(members):
            counts["job_entries"] += settle_member(uow, programme, member_id, midnight)
        for member_id in sorted(reviews):
            changed = review_member(uow, self._tiers, programme, member_id, midnight)
            counts["tier_reviews"] += 1
            counts["tier_downgrades"] += changed

    def _record(
        self, uow: UnitOfWork, history: HistoryRepository, receipt: Receipt, counts: Counter[str]
    ) -> None:
        assert receipt.occurred_at is not None  # a receipt with no readable line is refused
        self._clock.set(receipt.occurred_at)
        store = receipt.lines[0].store_id or self._options.store_id
        if receipt.member is None:
            history.add_non_member_lines(self._run.run_id, store, self._currency, receipt.lines)
            counts["non_member_receipts"] += 1
            counts["non_member_lines"] += len(receipt.lines)
            return
        member_id = self._member(uow, receipt, counts)
        if receipt.is_return:
            self._return(uow, history, member_id, store, receipt, counts)
        else:
            self._sale(uow, member_id, store, receipt, counts)

    def _member(self, uow: UnitOfWork, receipt: Receipt, counts: Counter[str]) -> str:
        external = receipt.member
        assert external is not None
        known = self._known.get(external)
        if known is not None:
            return known
        found = uow.members.find(MemberRef(IdentifierKind.EXTERNAL, external))
        if found is not None:
            self._remember({external: found.member_id})
            return found.member_id
        country = receipt.lines[0].country
        draft = MemberDraft(
            external_id=external, attributes={"country": country} if country else None
        )
        counts["members_enrolled"] += 1
        member_id = self._members.enrol(uow, draft).member_id
        self._enrolled[external] = member_id
        return member_id

    def _remember(self, members: dict[str, str]) -> None:
        if len(self._known) + len(members) > _KNOWN_MEMBERS:  # memory stays bounded
            self._known.clear()
        self._known.update(members)

    def _sale(
        self, uow: UnitOfWork, member_id: str, store: str, receipt: Receipt, counts: Counter[str]
    ) -> None:
        lines = tuple(
            Line(
                line.sku,
                line.quantity,
                line.unit_price_minor,
                name=line.name,
                category=line.category,
            )
            for line in receipt.lines
        )
        assert receipt.occurred_at is not None
        result = self._purchases.record(
            uow,
            PurchaseCommand(
                member=f"id:{member_id}",
                store_id=store,
                receipt_id=receipt.receipt_id,
                channel=self._options.channel,
                occurred_at=receipt.occurred_at,
                currency=self._currency,
                total_minor=sum(line.total_minor for line in lines),
                lines=lines,
            ),
        )
        if result.replayed:
            counts["duplicate_receipts"] += 1
            return
        counts["purchases"] += 1
        counts["sales_minor"] += result.purchase.total_minor
        counts["points_earned"] += result.purchase.points_earned

    def _return(
        self,
        uow: UnitOfWork,
        history: HistoryRepository,
        member_id: str,
        store: str,
        receipt: Receipt,
        counts: Counter[str],
    ) -> None:
        if history.return_imported(store, receipt.receipt_id):
            counts["duplicate_receipts"] += 1
            return
        assert receipt.occurred_at is not None
        by_purchase: dict[str, list[ReturnLineRequest]] = defaultdict(list)
        unmatched: list[UnmatchedReturn] = []
        for sku, quantity, line in _returned(receipt.lines):
            match = match_return(quantity, history.returnable(member_id, sku, receipt.occurred_at))
            for purchase_id, taken in match.taken:
                by_purchase[purchase_id].append(ReturnLineRequest(sku, taken))
            if match.unmatched:
                unmatched.append(
                    UnmatchedReturn(
                        line.line_no,
                        member_id,
                        store,
                        receipt.receipt_id,
                        receipt.occurred_at,
                        sku,
                        match.unmatched,
                        line.unit_price_minor,
                    )
                )
        for purchase_id, requests in by_purchase.items():
            result = self._purchases.record_return(
                uow, ReturnCommand(purchase_id, tuple(requests), receipt.occurred_at)
            )
            counts["returns"] += 1
            counts["points_taken_back"] += result.record.points_taken
            counts["returned_minor"] += result.record.value_minor
        history.add_unmatched(self._run.run_id, unmatched)
        matched = sum(r.quantity for requests in by_purchase.values() for r in requests)
        left = sum(u.quantity for u in unmatched)
        history.add_imported_return(
            store,
            receipt.receipt_id,
            member_id,
            self._run.run_id,
            receipt.occurred_at,
            matched,
            left,
        )
        counts["return_receipts"] += 1
        counts["returned_units_matched"] += matched
        counts["returned_units_unmatched"] += left


def _refusal(receipt: Receipt) -> str | None:
    if receipt.problems:
        return "; ".join(f"line {p.line_no}: {p.reason}" for p in receipt.problems)
    if len({line.member for line in receipt.lines}) > 1:
        return "its lines name different members"
    if receipt.member is not None and len({line.is_return for line in receipt.lines}) > 1:
        return "it both sells and returns: a return needs a receipt of its own"
    return None


def _returned(lines: Sequence[HistoryLine]) -> list[tuple[str, int, HistoryLine]]:
    """Returned units per SKU, in the order the SKUs first appear (a SKU may repeat)."""
    totals: dict[str, int] = defaultdict(int)
    first: dict[str, HistoryLine] = {}
    for line in lines:
        totals[line.sku] += -line.quantity
        first.setdefault(line.sku, line)
    return [(sku, quantity, first[sku]) for sku, quantity in totals.items()]
