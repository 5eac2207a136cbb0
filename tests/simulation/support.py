"""A history recorded through the real services, clock and scheduler included, then backtested.

``World`` moves the clock forward only, and on the way runs the jobs exactly when a
tier review falls due, as a punctual scheduler would: then the live path and the
replay review tiers at the same moments and must agree to the point.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select

from loyalo.adapters.storage.history_reader import SqlHistorySource
from loyalo.adapters.storage.tables import JournalEntryRow, PostingRow
from loyalo.adapters.storage.tiers import MemberTierRow
from loyalo.application.events import EventCommand
from loyalo.application.jobs import run_due
from loyalo.application.members import MemberDraft
from loyalo.application.purchases import (
    PurchaseCommand,
    PurchaseResult,
    ReturnCommand,
    ReturnLineRequest,
)
from loyalo.application.simulation.service import BacktestRequest, records
from loyalo.bootstrap.container import Container
from loyalo.domain.members.member import Member
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.engine.compiled import compile_programme
from loyalo.domain.programme.simulation.comparison import Comparison
from loyalo.domain.programme.simulation.figures import SideFigures
from loyalo.domain.programme.simulation.replay import Replay
from loyalo.domain.purchases.basket import Line
from tests.support.clock import FakeClock

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def item(sku: str, unit_minor: int, quantity: int = 1, category: str | None = None) -> Line:
    return Line(sku, quantity, unit_minor, category=category)


class World:
    def __init__(self, container: Container, clock: FakeClock) -> None:
        self.container = container
        self.clock = clock
        self.members: dict[str, Member] = {}
        self._receipts = 0
        self.at(START)

    # -- time -------------------------------------------------------------------------

    def at(self, when: datetime) -> None:
        """Move the clock to ``when``, running the jobs at every tier review due by then."""
        while (due := self._next_review(when)) is not None:
            self._move(due)
            run_due(self.container.ctx)
        self._move(when)

    def later(self, **delta: float) -> None:
        self.at(self.clock.now() + timedelta(**delta))

    def jobs(self) -> None:
        run_due(self.container.ctx)

    def _move(self, when: datetime) -> None:
        now = self.clock.now()
        assert when >= now, "the world's clock only moves forward"
        self.clock.advance(when - now)

    def _next_review(self, until: datetime) -> datetime | None:
        with self.container.ctx.uow() as uow:
            session: Any = cast(Any, uow).session
            due: datetime | None = session.scalar(
                select(func.min(MemberTierRow.review_at)).where(MemberTierRow.review_at <= until)
            )
        return due

    # -- what members do ----------------------------------------------------------------

    def enrol(self, name: str, **fields: Any) -> Member:
        with self.container.ctx.uow() as uow:
            member = self.container.members.enrol(uow, MemberDraft(external_id=name, **fields))
            uow.commit()
        self.members[name] = member
        return member

    def buy(self, name: str, *lines: Line, channel: str = "pos") -> PurchaseResult:
        self._receipts += 1
        command = PurchaseCommand(
            member=f"ext:{name}",
            store_id="waw-01",
            receipt_id=f"R{self._receipts:05d}",
            channel=channel,
            occurred_at=self.clock.now(),
            currency="PLN",
            total_minor=sum(line.total_minor for line in lines),
            lines=lines,
        )
        with self.container.ctx.uow() as uow:
            result = self.container.purchases.record(uow, command)
            uow.commit()
        return result

    def give_back(self, purchase: PurchaseResult, **units: int) -> None:
        """Return ``sku=units`` of a purchase; nothing named: the whole receipt."""
        lines = tuple(ReturnLineRequest(sku, n) for sku, n in units.items()) or None
        command = ReturnCommand(purchase.purchase.purchase_id, lines, self.clock.now())
        with self.container.ctx.uow() as uow:
            self.container.purchases.record_return(uow, command)
            uow.commit()

    def event(self, name: str, event: str, key: str | None = None, **attributes: Any) -> None:
        command = EventCommand(f"ext:{name}", event, attributes, event_key=key)
        with self.container.ctx.uow() as uow:
            self.container.events.record(uow, command)
            uow.commit()

    def id_of(self, name: str) -> str:
        return self.members[name].member_id

    # -- what the ledger says, and what a replay says --------------------------------------

    def ledger_by_rule(self, since: datetime | None = None) -> dict[tuple[str, str], int]:
        """(entry kind, rule id) -> points issued (earn) or taken back (return)."""
        entries = cast(Table, JournalEntryRow.__table__)
        postings = cast(Table, PostingRow.__table__)
        query = (
            select(entries.c.kind, entries.c.rule_id, func.sum(postings.c.points))
            .select_from(postings.join(entries, entries.c.entry_id == postings.c.entry_id))
            .where(postings.c.account == "issuance", entries.c.kind.in_(["earn", "return"]))
            .group_by(entries.c.kind, entries.c.rule_id)
        )
        if since is not None:
            query = query.where(entries.c.occurred_at >= since)
        with self.container.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {
            (kind, rule): (-points if kind == "earn" else points) for kind, rule, points in rows
        }

    def tiers_held(self) -> dict[str, str]:
        with self.container.engine.connect() as connection:
            rows = connection.execute(select(MemberTierRow.member_id, MemberTierRow.tier_id))
            return {str(member_id): str(tier) for member_id, tier in rows.all()}

    def replay(
        self, document: ProgrammeDocument, until: datetime, start: datetime | None = None
    ) -> SideFigures:
        """One side, straight over the storage adapter: the replay's own figures."""
        compiled = compile_programme(document, 1)
        with SqlHistorySource(self.container.engine, chunk_size=3)() as reader:
            members = reader.members([m.member_id for m in self.members.values()])
            replay = Replay(
                compiled,
                start=start or datetime.min.replace(tzinfo=UTC),
                members=members,
                returned=reader.returned_purchases(until),
            )
            for record in records(reader, until):
                replay.replay(record)
        return replay.finish(until)

    def backtest(
        self,
        candidate: dict[str, Any] | ProgrammeDocument,
        period: tuple[date, date] = YEAR,
        **options: Any,
    ) -> Comparison:
        document = (
            candidate
            if isinstance(candidate, ProgrammeDocument)
            else ProgrammeDocument.model_validate(candidate)
        )
        request = BacktestRequest(document, period[0], period[1], **options)
        return self.container.backtest.run(request)


def apply(container: Container, document: dict[str, Any]) -> ProgrammeDocument:
    parsed = ProgrammeDocument.model_validate(document)
    with container.ctx.uow() as uow:
        container.programmes.apply(uow, parsed, source="test", actor="test")
        uow.commit()
    return parsed


def changed(document: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**document, **fields}
