"""Random sequences of ledger operations, checked against a naive model.

A Hypothesis state machine records purchases, returns (of lines or whole
receipts, also after the points were spent, so that a debt arises), till holds
with their commits, releases and expiries, admin adjustments and retried
requests. Next to the application it keeps a plain model: four integers per
member and the arithmetic written out again here, sharing no code with the
ledger. After every step the stored balances must equal the model's, no balance
may be negative, every journal entry and the whole ledger must sum to zero, the
audit must find nothing and every hold must be resolved at most once.

The machine runs on a fresh SQLite file per example and on a dedicated
PostgreSQL database (emptied with TRUNCATE before each example).
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
import unittest
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from loyalo.application.adjustments import AdjustmentCommand
from loyalo.application.audit import verify_ledger
from loyalo.application.jobs import run_due
from loyalo.application.members import MemberDraft
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import PurchaseCommand, ReturnCommand, ReturnLineRequest
from loyalo.application.reservations import ReserveCommand
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.errors import (
    CommitExceedsHold,
    DomainError,
    HoldAlreadyResolved,
    IdempotencyKeyReused,
    InsufficientPoints,
    InvalidInput,
    ReceiptConflict,
    ReturnExceedsPurchase,
    TotalMismatch,
)
from loyalo.domain.money import Money
from loyalo.domain.purchases.basket import Line

START = datetime(2026, 3, 2, 8, 30, 0, 123456, tzinfo=UTC)
HOLD_TTL_SECONDS = 900
MINOR_PER_PLN = 100
EARNED_PER_PLN = 1  # points earned per 1.00 PLN spent
REDEEMED_PER_PLN = 10  # points that pay 1.00 PLN
IDEMPOTENCY_SCOPE = "POST /test/adjustments"

PG_SERVER = os.environ.get("LOYALO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_DATABASE = f"loyalo_sm_{os.getpid()}"
ALL_TABLES = (
    "members, member_balances, journal_entries, postings, lots, purchases, purchase_lines, "
    "purchase_returns, reservations, idempotency_keys, api_keys, member_tokens"
)


class FakeClock:
    """A clock that only moves when the test says so."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: int) -> None:
        self.moment += timedelta(seconds=seconds)


# --------------------------------------------------------------------------- the model


class Refused(Exception):
    """The model predicts that the application refuses the request."""

    def __init__(self, error: type[DomainError]) -> None:
        super().__init__(error.__name__)
        self.error = error


@dataclass
class MemberModel:
    member_id: str
    card: str
    email: str
    external_id: str
    available: int = 0
    pending: int = 0
    held: int = 0
    owed: int = 0  # the debt, as a positive number

    def balance(self) -> tuple[int, int, int, int]:
        return (self.available, self.pending, self.held, -self.owed)


@dataclass
class PurchaseModel:
    purchase_id: str
    member: int
    command: PurchaseCommand
    earned: int
    returned: list[int]  # quantity returned so far, per line
    returned_value: int = 0
    taken_back: int = 0
    lot_pending: bool = False  # its own lot is still pending
    lot_left: int = 0  # points left in that pending lot
    matures_at: datetime | None = None
    line_points: list[int] = field(default_factory=list)  # the points each line earned


def spread(points: int, weights: list[int]) -> list[int]:
    """Points shared in proportion to the line values: floors, then the largest remainders
    (earlier lines first on a tie) get one more, so the shares add up exactly."""
    whole = sum(w for w in weights if w > 0)
    if whole == 0:
        return [0] * len(weights)
    shares = [points * w // whole if w > 0 else 0 for w in weights]
    order = sorted(
        (i for i, w in enumerate(weights) if w > 0),
        key=lambda i: (-(points * weights[i] % whole), i),
    )
    for i in order[: points - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class HoldModel:
    hold_id: str
    member: int
    points: int
    expires_at: datetime
    status: str = "open"
    committed: int | None = None


def line_value(line: Line) -> int:
    return line.quantity * line.unit_price_minor - line.discount_minor


@dataclass
class LedgerModel:
    pending_days: int
    members: list[MemberModel]
    purchases: list[PurchaseModel] = field(default_factory=list)
    holds: list[HoldModel] = field(default_factory=list)
    issued: int = 0  # points issued for purchases, net of returns
    redeemed: int = 0
    adjusted: int = 0  # net admin adjustments

    # time-based work, done before every write of a member (and by the job)

    def is_due(self, member: int, now: datetime) -> bool:
        return any(
            h.member == member and h.status == "open" and h.expires_at <= now for h in self.holds
        ) or any(
            p.member == member
            and p.lot_pending
            and p.lot_left > 0  # a pending lot fully returned has nothing left to mature
            and p.matures_at is not None
            and p.matures_at <= now
            for p in self.purchases
        )

    def settle(self, member: int, now: datetime) -> int:
        """Expire the member's timed-out holds, make matured points available.
        Returns the number of journal entries that writes."""
        m = self.members[member]
        entries = 0
        for hold in self.holds:
            if hold.member == member and hold.status == "open" and hold.expires_at <= now:
                hold.status = "expired"
                m.held -= hold.points
                m.available += hold.points
                entries += 1
        matured = 0
        for p in self.purchases:
            if p.member == member and p.lot_pending and p.matures_at and p.matures_at <= now:
                matured += p.lot_left
                p.lot_pending, p.lot_left = False, 0
        if matured:
            m.pending -= matured
            m.available += matured
            entries += 1
        return entries

    def run_due(self, now: datetime) -> tuple[int, int]:
        due = [i for i in range(len(self.members)) if self.is_due(i, now)]
        return len(due), sum(self.settle(i, now) for i in due)

    def _credit(self, member: int, points: int) -> int:
        """Settle the debt first; returns what is left to credit."""
        m = self.members[member]
        settled = min(points, m.owed)
        m.owed -= settled
        return points - settled

    # writes

    def purchase(self, member: int, command: PurchaseCommand, now: datetime) -> PurchaseModel:
        if sum(line_value(line) for line in command.lines) != command.total_minor:
            raise Refused(TotalMismatch)
        self.settle(member, now)
        earned = max(command.total_minor * EARNED_PER_PLN // MINOR_PER_PLN, 0)
        p = PurchaseModel("", member, command, earned, [0] * len(command.lines))
        p.line_points = spread(earned, [line_value(line) for line in command.lines])
        credited = self._credit(member, earned)
        if self.pending_days and credited:
            self.members[member].pending += credited
            p.lot_pending, p.lot_left = True, credited
            p.matures_at = now + timedelta(days=self.pending_days)
        else:
            self.members[member].available += credited
        self.issued += earned
        self.purchases.append(p)
        return p

    def return_goods(
        self, index: int, requests: list[tuple[str, int]] | None, now: datetime
    ) -> tuple[int, int]:
        """Returns (points taken back, of which recorded as debt)."""
        p = self.purchases[index]
        m = self.members[p.member]
        self.settle(p.member, now)
        lines = p.command.lines
        left = [line.quantity - p.returned[i] for i, line in enumerate(lines)]
        wanted: dict[int, int] = {}
        if requests is None:
            wanted = {i: n for i, n in enumerate(left) if n > 0}
        else:
            for sku, quantity in requests:
                missing = quantity
                for i, line in enumerate(lines):
                    if line.sku == sku and missing and left[i]:
                        take = min(missing, left[i])
                        left[i] -= take
                        wanted[i] = wanted.get(i, 0) + take
                        missing -= take
                if missing:
                    known = any(line.sku == sku for line in lines)
                    raise Refused(ReturnExceedsPurchase if known else InvalidInput)
        if not wanted:
            raise Refused(ReturnExceedsPurchase)
        value = points = 0
        for i, quantity in wanted.items():
            total, count, before = line_value(lines[i]), lines[i].quantity, p.returned[i]
            value += total * (before + quantity) // count - total * before // count
            earned = p.line_points[i]  # each line gives back what it earned, cumulatively
            points += earned * (before + quantity) // count - earned * before // count
            p.returned[i] += quantity
        p.returned_value += value
        p.taken_back += points
        own_pending = p.lot_left if p.lot_pending else 0
        from_pending = min(points, own_pending, m.pending)
        from_available = min(points - from_pending, m.available)
        to_debt = points - from_pending - from_available
        p.lot_left -= from_pending
        m.pending -= from_pending
        m.available -= from_available
        m.owed += to_debt
        self.issued -= points
        return points, to_debt

    def reserve(self, member: int, points: int, ttl: int | None, now: datetime) -> HoldModel:
        if points <= 0:
            raise Refused(InvalidInput)
        self.settle(member, now)
        m = self.members[member]
        if points > m.available:
            raise Refused(InsufficientPoints)
        m.available -= points
        m.held += points
        hold = HoldModel("", member, points, now + timedelta(seconds=ttl or HOLD_TTL_SECONDS))
        self.holds.append(hold)
        return hold

    def resolve(self, index: int, commit: bool, points: int | None, now: datetime) -> HoldModel:
        hold = self.holds[index]
        self.settle(hold.member, now)  # may expire this very hold
        if hold.status != "open":
            raise Refused(HoldAlreadyResolved)
        spent = 0
        if commit:
            spent = hold.points if points is None else points
            if spent > hold.points:
                raise Refused(CommitExceedsHold)
            hold.status, hold.committed = "committed", spent
        else:
            hold.status = "released"
        m = self.members[hold.member]
        m.held -= hold.points
        m.available += hold.points - spent
        self.redeemed += spent
        return hold

    def adjust(self, member: int, points: int, reason: str, now: datetime) -> None:
        if points == 0 or len(reason.strip()) < 3:
            raise Refused(InvalidInput)
        self.settle(member, now)
        m = self.members[member]
        if points > 0:
            m.available += self._credit(member, points)
        elif -points > m.available:
            raise Refused(InsufficientPoints)
        else:
            m.available += points
        self.adjusted += points


# --------------------------------------------------------------------------- strategies

MEMBER = st.integers(min_value=0, max_value=2)
REF = st.sampled_from(["card", "email", "id", "ext"])
LINE = st.tuples(st.sampled_from("ABC"), st.integers(1, 3), st.integers(0, 6000), st.booleans())
BASKET = st.lists(LINE, min_size=1, max_size=4)
LineSpec = tuple[str, int, int, bool]


def make_line(sku: str, quantity: int, unit_price: int, discounted: bool) -> Line:
    discount = quantity * unit_price // 7 if discounted else 0
    return Line(sku, quantity, unit_price, discount)


@dataclass
class Attempt:
    result: Any = None
    predicted: Any = None
    error: DomainError | None = None


@dataclass
class IdempotentCall:
    key: str
    request_print: str
    status_code: int
    body: dict[str, Any]


def _render_error(error: DomainError) -> tuple[int, dict[str, Any]]:
    return 422, {"type": error.slug, "detail": error.detail}


def _has(attribute: str) -> Callable[[LedgerMachine], bool]:
    return lambda machine: machine.model is not None and bool(getattr(machine.model, attribute))


def _must_not_run(_: UnitOfWork) -> tuple[int, dict[str, Any]]:
    raise AssertionError("a replayed request ran its action again")


# --------------------------------------------------------------------------- the machine


class LedgerMachine(RuleBasedStateMachine):
    """Few rules, each with several variants: Hypothesis enables a random subset of
    rules per example, so fewer rules make the interesting combinations likelier."""

    backend = "sqlite"

    def __init__(self) -> None:
        super().__init__()
        self.app: Container | None = None
        self.model: LedgerModel | None = None
        self.clock = FakeClock(START)
        self.tmp = tempfile.mkdtemp(prefix="loyalo-sm-")
        self.counter = 0
        self.idempotent_calls: list[IdempotentCall] = []

    # setup and teardown

    def _settings(self, pending_days: int) -> Settings:
        url = None if self.backend == "sqlite" else _postgres_url()
        return Settings(
            data_dir=Path(self.tmp),
            database_url=url,
            db_pool_size=2,
            currency="PLN",
            earn_points_per_unit=EARNED_PER_PLN,
            redeem_points_per_unit=REDEEMED_PER_PLN,
            pending_days=pending_days,
            hold_ttl_seconds=HOLD_TTL_SECONDS,
        )

    @initialize(
        pending_days=st.sampled_from([0, 0, 2]),
        members=st.integers(2, 3),
        opening=st.lists(BASKET, max_size=3),
    )
    def set_up(self, pending_days: int, members: int, opening: list[list[LineSpec]]) -> None:
        self.app = build(self._settings(pending_days), clock=self.clock, migrate=True)
        if self.backend == "postgresql":
            with self.app.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {ALL_TABLES} CASCADE"))
        assert self._scalar("select count(*) from journal_entries") == 0
        enrolled = []
        with self.app.ctx.uow() as uow:
            for i in range(members):
                member = self.app.members.enrol(
                    uow, MemberDraft(external_id=f"EXT-{i}", email=f"member{i}@example.com")
                )
                enrolled.append(
                    MemberModel(
                        member.member_id, member.card_number, f"member{i}@example.com", f"EXT-{i}"
                    )
                )
            uow.commit()
        self.model = LedgerModel(pending_days, enrolled)
        for i, basket in enumerate(opening):  # opening purchases, so that there is state
            self.purchase(i, "card", "s1", basket, 0)

    def teardown(self) -> None:
        if self.app is not None:
            try:
                if self.model is not None:
                    self.check_audit()
            finally:
                self.app.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # helpers

    @property
    def m(self) -> LedgerModel:
        assert self.model is not None
        return self.model

    @property
    def c(self) -> Container:
        assert self.app is not None
        return self.app

    def _member(self, index: int) -> int:
        return index % len(self.m.members)

    def _ref(self, member: int, kind: str) -> str:
        m = self.m.members[member]
        return {
            "card": m.card,
            "email": f"email:{m.email}",
            "id": m.member_id,
            "ext": f"ext:{m.external_id}",
        }[kind]

    def _scalar(self, sql: str) -> Any:
        with self.c.engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()

    def _snapshot(self) -> tuple[Any, ...]:
        with self.c.ctx.uow() as uow:
            balances = tuple(uow.ledger.balance(m.member_id) for m in self.m.members)
        return balances, self._scalar("select count(*) from journal_entries")

    def _assert_balance(self, member: int, balance: Any) -> None:
        got = (balance.available, balance.pending, balance.held, balance.debt)
        assert got == self.m.members[member].balance(), (got, self.m.members[member])

    def _attempt(
        self, predict: Callable[[LedgerModel], Any], act: Callable[[UnitOfWork], Any]
    ) -> Attempt:
        """Run one request in its own transaction and hold it to the model's
        prediction: a refusal must be the predicted one and change nothing."""
        trial = copy.deepcopy(self.m)
        expected: type[DomainError] | None = None
        predicted = None
        try:
            predicted = predict(trial)
        except Refused as refusal:
            expected = refusal.error
        before = self._snapshot()
        error: DomainError | None = None
        result = None
        try:
            with self.c.ctx.uow() as uow:
                result = act(uow)
                uow.commit()
        except DomainError as refused:
            error = refused
        if error is None:
            assert expected is None, f"expected {expected.__name__}, the app accepted: {result!r}"
            self.model = trial
            return Attempt(result=result, predicted=predicted)
        assert expected is not None, f"the model expected success, the app refused: {error!r}"
        assert type(error) is expected, f"expected {expected.__name__}, got {error!r}"
        assert self._snapshot() == before, "a refused request changed the ledger"
        hypothesis.event("refused", type(error).__name__)
        return Attempt(error=error)

    # purchases and returns

    @rule(
        member=MEMBER,
        ref=REF,
        store=st.sampled_from(["s1", "s2"]),
        lines=BASKET,
        total_off=st.sampled_from([0, 0, 0, 0, 0, 0, 0, 0, 1, -1]),
    )
    def purchase(
        self, member: int, ref: str, store: str, lines: list[LineSpec], total_off: int
    ) -> None:
        member = self._member(member)
        owed = self.m.members[member].owed
        basket = tuple(make_line(*spec) for spec in lines)
        self.counter += 1
        now = self.clock.now()
        command = PurchaseCommand(
            member=self._ref(member, ref),
            store_id=store,
            receipt_id=f"R{self.counter}",
            channel="pos",
            occurred_at=now - timedelta(minutes=5),
            currency="PLN",
            total_minor=sum(line_value(line) for line in basket) + total_off,
            lines=basket,
        )
        attempt = self._attempt(
            lambda model: model.purchase(member, command, now),
            lambda uow: self.c.purchases.record(uow, command),
        )
        if attempt.error is None:
            result, predicted = attempt.result, attempt.predicted
            assert not result.replayed
            assert result.purchase.points_earned == predicted.earned
            predicted.purchase_id = result.purchase.purchase_id
            self._assert_balance(member, result.balance)
            if owed and predicted.earned:
                hypothesis.event("purchase", "settled a debt")

    @precondition(_has("purchases"))
    @rule(
        data=st.data(),
        ref=REF,
        change=st.sampled_from(["none", "none", "none", "channel", "lines", "member"]),
    )
    def resend_purchase(self, data: st.DataObject, ref: str, change: str) -> None:
        """A till retrying a sale: the same content (under any of the member's
        identifiers) is replayed and earns nothing; other content is a conflict."""
        index = data.draw(st.integers(0, len(self.m.purchases) - 1), label="purchase")
        p = self.m.purchases[index]
        command = replace(p.command, member=self._ref(p.member, ref))
        if change == "channel":
            command = replace(command, channel="web")
        elif change == "lines":
            command = replace(
                command,
                lines=(*command.lines, Line("Z", 1, 100)),
                total_minor=command.total_minor + 100,
            )
        elif change == "member":
            command = replace(command, member=self._ref((p.member + 1) % len(self.m.members), ref))

        def predict(_: LedgerModel) -> None:
            if change != "none":
                raise Refused(ReceiptConflict)

        attempt = self._attempt(predict, lambda uow: self.c.purchases.record(uow, command))
        if attempt.error is None:
            result = attempt.result
            assert result.replayed is True
            assert result.purchase.purchase_id == p.purchase_id
            assert [(e.kind, e.points) for e in result.effects] == [("duplicate_receipt", 0)]
            self._assert_balance(p.member, result.balance)

    @precondition(_has("purchases"))
    @rule(data=st.data(), whole=st.booleans(), further=st.booleans())
    def return_goods(self, data: st.DataObject, whole: bool, further: bool) -> None:
        """Return some lines (by SKU) or the rest of a receipt; ``further`` prefers
        a receipt already partly returned."""
        purchases = self.m.purchases
        partly = [
            i
            for i, p in enumerate(purchases)
            if 0 < sum(p.returned) < sum(line.quantity for line in p.command.lines)
        ]
        pool = partly if further and partly else list(range(len(purchases)))
        index = data.draw(st.sampled_from(pool), label="purchase")
        p = purchases[index]
        requests: list[tuple[str, int]] | None = None
        if not whole:
            skus = sorted({line.sku for line in p.command.lines})
            requests = data.draw(
                st.lists(
                    st.tuples(
                        st.sampled_from([*skus, *skus, *skus, "Z"]), st.sampled_from([1, 1, 2, 3])
                    ),
                    min_size=1,
                    max_size=2,
                ),
                label="returned",
            )
        command = ReturnCommand(
            p.purchase_id,
            None if requests is None else tuple(ReturnLineRequest(s, q) for s, q in requests),
        )
        now = self.clock.now()
        attempt = self._attempt(
            lambda model: model.return_goods(index, requests, now),
            lambda uow: self.c.purchases.record_return(uow, command),
        )
        if attempt.error is None:
            taken, debt = attempt.predicted
            record = attempt.result.record
            assert (record.points_taken, record.debt_points) == (taken, debt)
            self._assert_balance(p.member, attempt.result.balance)
            if debt:
                hypothesis.event("return", "left a debt")

    # till holds

    @rule(
        member=MEMBER,
        ref=REF,
        data=st.data(),
        ttl=st.sampled_from([None, None, 60, 3600]),
        by_amount=st.booleans(),
        too_much=st.sampled_from([False, False, False, True]),
        then=st.sampled_from(["keep", "keep", "commit", "commit_part"]),
    )
    def reserve(
        self,
        member: int,
        ref: str,
        data: st.DataObject,
        ttl: int | None,
        by_amount: bool,
        too_much: bool,
        then: str,
    ) -> None:
        """Hold points (or the points worth an amount); ``then`` pays at once."""
        member = self._member(member)
        available = self.m.members[member].available
        low, high = (available + 1, available + 20) if too_much else (1, max(available, 1))
        if by_amount:  # 10 points pay 1.00 PLN: 1 point per 10 minor units, rounded down
            amount = data.draw(st.integers(max(low * 10 - 9, 0), high * 10), "amount")
            points = amount * REDEEMED_PER_PLN // MINOR_PER_PLN
            command = ReserveCommand(
                self._ref(member, ref), amount=Money(amount, "PLN"), ttl_seconds=ttl
            )
        else:
            points = data.draw(st.integers(low, high), "points")
            command = ReserveCommand(self._ref(member, ref), points=points, ttl_seconds=ttl)
        now = self.clock.now()
        attempt = self._attempt(
            lambda model: model.reserve(member, points, ttl, now),
            lambda uow: self.c.reservations.reserve(uow, command),
        )
        if attempt.error is not None:
            return
        hold = attempt.result.hold
        assert hold.points == points
        assert hold.expires_at == attempt.predicted.expires_at
        attempt.predicted.hold_id = hold.hold_id
        self._assert_balance(member, attempt.result.balance)
        if then != "keep":
            spent = data.draw(st.integers(0, points), "spent") if then == "commit_part" else None
            self._resolve(len(self.m.holds) - 1, "commit", spent)

    def _resolve(self, index: int, action: str, points: int | None) -> Attempt:
        hold = self.m.holds[index]
        now = self.clock.now()

        def act(uow: UnitOfWork) -> Any:
            if action == "release":
                return self.c.reservations.release(uow, hold.hold_id)
            return self.c.reservations.commit(uow, hold.hold_id, points)

        attempt = self._attempt(
            lambda model: model.resolve(index, action != "release", points, now), act
        )
        if attempt.error is None:
            resolved = attempt.result.hold
            assert resolved.status.value == attempt.predicted.status
            assert resolved.committed_points == attempt.predicted.committed
            self._assert_balance(hold.member, attempt.result.balance)
        return attempt

    @precondition(_has("holds"))
    @rule(
        data=st.data(),
        action=st.sampled_from(["commit", "commit_all", "release"]),
        open_one=st.sampled_from([True, True, False]),
    )
    def resolve(self, data: st.DataObject, action: str, open_one: bool) -> None:
        """Commit (all or part) or release a hold. A hold past its expiry is expired
        by the request itself, which is refused; a resolved hold is always refused."""
        holds = self.m.holds
        still_open = [i for i, h in enumerate(holds) if h.status == "open"]
        pool = still_open if open_one and still_open else list(range(len(holds)))
        index = data.draw(st.sampled_from(pool), label="hold")
        points = None
        if action == "commit":
            points = data.draw(st.integers(0, holds[index].points + 2), label="points")
        was = holds[index].status
        attempt = self._resolve(index, action, points)
        if was != "open":
            assert isinstance(attempt.error, HoldAlreadyResolved), attempt
            hypothesis.event("resolved twice", was)

    # time

    @rule(
        seconds=st.one_of(
            st.just(0),
            st.integers(1, 1200),
            st.sampled_from([HOLD_TTL_SECONDS, 86400, 2 * 86400]),
        ),
        run_jobs=st.booleans(),
    )
    def advance_clock(self, seconds: int, run_jobs: bool) -> None:
        """Let time pass; either the job settles what fell due, or the next write."""
        self.clock.advance(seconds)
        if run_jobs:
            expected = self.m.run_due(self.clock.now())
            report = run_due(self.c.ctx)
            assert (report.members_settled, report.entries_written) == expected
            if report.entries_written:
                hypothesis.event("job", "settled expired holds or matured points")

    # adjustments and idempotent requests

    @rule(
        member=MEMBER,
        ref=REF,
        points=st.integers(-400, 400),
        reason=st.sampled_from(["goodwill gesture", "correction", "x"]),
    )
    def adjust(self, member: int, ref: str, points: int, reason: str) -> None:
        member = self._member(member)
        command = AdjustmentCommand(self._ref(member, ref), points, reason, "admin@test")
        now = self.clock.now()
        attempt = self._attempt(
            lambda model: model.adjust(member, points, reason, now),
            lambda uow: self.c.adjustments.adjust(uow, command),
        )
        if attempt.error is None:
            self._assert_balance(member, attempt.result.balance)

    @rule(
        data=st.data(),
        member=MEMBER,
        points=st.one_of(st.integers(-300, -1), st.integers(1, 300)),
        replay_old=st.booleans(),
    )
    def idempotent_adjustment(
        self, data: st.DataObject, member: int, points: int, replay_old: bool
    ) -> None:
        """Through ``IdempotentRunner``: the same key and request replay the stored
        response (a refusal too); the same key with another request is refused."""
        if replay_old and self.idempotent_calls:
            self._replay_key(data.draw(st.sampled_from(self.idempotent_calls), label="call"))
            return
        member = self._member(member)
        member_id = self.m.members[member].member_id
        self.counter += 1
        key, request_print = f"key-{self.counter}", f"adjust:{member_id}:{points}"
        reason = "idempotent adjustment"

        def action(uow: UnitOfWork) -> tuple[int, dict[str, Any]]:
            result = self.c.adjustments.adjust(
                uow, AdjustmentCommand(member_id, points, reason, "admin@test")
            )
            b = result.balance
            return 201, {
                "adjustment_id": result.adjustment_id,
                "balance": [b.available, b.pending, b.held, b.debt],
            }

        trial = copy.deepcopy(self.m)
        expected: type[DomainError] | None = None
        try:
            trial.adjust(member, points, reason, self.clock.now())
        except Refused as refusal:
            expected = refusal.error
        before = self._snapshot()
        first = self.c.idempotent.run(IDEMPOTENCY_SCOPE, key, request_print, action, _render_error)
        assert not first.replayed
        if expected is None:
            assert first.status_code == 201, first
            self.model = trial
            assert first.body["balance"] == list(self.m.members[member].balance())
        else:
            assert (first.status_code, first.body["type"]) == (422, expected.slug)
            assert self._snapshot() == before, "a refused request changed the ledger"
        call = IdempotentCall(key, request_print, first.status_code, first.body)
        self.idempotent_calls.append(call)
        self._replay_key(call)

    def _replay_key(self, call: IdempotentCall) -> None:
        before = self._snapshot()
        again = self.c.idempotent.run(
            IDEMPOTENCY_SCOPE, call.key, call.request_print, _must_not_run, _render_error
        )
        assert again.replayed
        assert (again.status_code, again.body) == (call.status_code, call.body)
        with pytest.raises(IdempotencyKeyReused):
            self.c.idempotent.run(
                IDEMPOTENCY_SCOPE,
                call.key,
                f"{call.request_print}:other",
                _must_not_run,
                _render_error,
            )
        assert self._snapshot() == before

    # invariants, after every step

    @invariant()
    def balances_match_model(self) -> None:
        with self.c.ctx.uow() as uow:
            for index, member in enumerate(self.m.members):
                balance = uow.ledger.balance(member.member_id)
                self._assert_balance(index, balance)
                assert balance.available >= 0
                assert balance.pending >= 0
                assert balance.held >= 0
                assert balance.debt <= 0

    @invariant()
    def postings_balance(self) -> None:
        assert self._scalar("select coalesce(sum(points), 0) from postings") == 0
        with self.c.engine.connect() as conn:
            unbalanced = conn.execute(
                text("select entry_id from postings group by entry_id having sum(points) <> 0")
            ).all()
            by_account = {
                account: int(points)
                for account, points in conn.execute(
                    text("select account, sum(points) from postings group by account")
                )
            }
        assert unbalanced == []
        expected = {
            "issuance": -self.m.issued,
            "redemption": self.m.redeemed,
            "adjustment": -self.m.adjusted,
            "breakage": 0,
            "wallet": sum(m.available for m in self.m.members),
            "pending": sum(m.pending for m in self.m.members),
            "held": sum(m.held for m in self.m.members),
            "debt": -sum(m.owed for m in self.m.members),
        }
        assert {a: by_account.get(a, 0) for a in expected} == expected
        assert set(by_account) <= set(expected)

    @invariant()
    def holds_resolve_once(self) -> None:
        with self.c.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "select r.hold_id, r.status, r.committed_points,"
                    " (select count(*) from journal_entries j where j.source_type = 'reservation'"
                    "   and j.source_id = r.hold_id and j.kind in ('commit', 'release')),"
                    " (select count(*) from journal_entries j where j.source_type = 'reservation'"
                    "   and j.source_id = r.hold_id and j.kind = 'hold')"
                    " from reservations r"
                )
            ).all()
        model = {h.hold_id: h for h in self.m.holds}
        assert {row[0] for row in rows} == set(model)
        for hold_id, status, committed, resolutions, holds in rows:
            assert status in {"open", "committed", "released", "expired"}
            assert resolutions <= 1
            assert resolutions == (0 if status == "open" else 1), (hold_id, status, resolutions)
            assert holds == 1
            assert (status, committed) == (model[hold_id].status, model[hold_id].committed)

    @invariant()
    def check_audit(self) -> None:
        report = verify_ledger(self.c.ctx)
        assert report.members_checked == len(self.m.members)
        assert report.findings == []


# --------------------------------------------------------------------------- the backends


class PostgresLedgerMachine(LedgerMachine):
    backend = "postgresql"


def _postgres_url() -> str:
    return f"{PG_SERVER}/{PG_DATABASE}"


def _admin_engine() -> Any:
    return create_engine(
        f"{PG_SERVER}/postgres",
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
        connect_args={"connect_timeout": 3},
    )


class TestLedgerStateMachineSqlite(LedgerMachine.TestCase):
    settings = hypothesis.settings(
        max_examples=40,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


class TestLedgerStateMachinePostgres(PostgresLedgerMachine.TestCase):
    settings = hypothesis.settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        try:
            with _admin_engine().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
        except OperationalError as exc:
            reason = f"PostgreSQL at {PG_SERVER} is not reachable: {exc.orig or exc}"
            if os.environ.get("CI"):
                pytest.fail(f"{reason} (CI is set, so PostgreSQL is required)")
            raise unittest.SkipTest(reason) from exc
        app = build(Settings(database_url=_postgres_url(), db_pool_size=1), migrate=True)
        app.close()

    @classmethod
    def tearDownClass(cls) -> None:
        with _admin_engine().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        super().tearDownClass()
