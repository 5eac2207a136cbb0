"""Demo data: a year of a small Polish chain's loyalty programme, the same every time.

``seed_demo`` enrols members, then replays a year of purchases, returns, till
redemptions and admin adjustments through the application services, in time
order, one unit of work per operation, so the ledger it leaves is exactly what
real traffic would have left. One ``random.Random(seed)`` drives every choice:
the same seed gives the same members and the same balances (member ids and card
numbers are drawn by the services and differ from run to run).

The chain's customers join the programme over the year, each at their own
moment (enrolled then, through the services, on a clock set to it); what they
bought before joining is their history, recorded for them as an import would.
Joining has an effect the analytics can find: after joining, a member comes
back about a third more often (``JOINING_LIFT``). The joining moments and that
effect are drawn from a second generator, so the year's other traffic is the
one the seed always gave.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TypeAlias

import phonenumbers
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from loyalo.adapters.storage.tables import (
    Base,
    JournalEntryRow,
    MemberBalanceRow,
    MemberRow,
    PurchaseReturnRow,
    PurchaseRow,
    ReservationRow,
)
from loyalo.application.adjustments import AdjustmentCommand, AdjustmentService
from loyalo.application.events import EventService
from loyalo.application.history.importer import ReplayClock
from loyalo.application.members import MemberDraft, MemberService
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import PurchaseCommand, ReturnCommand, ReturnLineRequest
from loyalo.application.referrals.service import ReferralService
from loyalo.application.reservations import ReservationService, ReserveCommand
from loyalo.bootstrap.container import Container
from loyalo.bootstrap.demo_engagement import EngagementSummary, seed_engagement
from loyalo.domain.ledger.accounts import MemberBalance
from loyalo.domain.ledger.journal import EntryKind
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.reservations.holds import HoldStatus

# (female, male) first names; surnames as (female, male) forms.
FEMALE_NAMES = (
    "Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Magdalena",
    "Joanna", "Zofia", "Aleksandra", "Natalia", "Monika", "Julia", "Karolina", "Dorota",
)  # fmt: skip
MALE_NAMES = (
    "Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Jan", "Michał", "Marcin",
    "Łukasz", "Grzegorz", "Jakub", "Adam", "Mateusz", "Wojciech", "Kamil", "Szymon",
)  # fmt: skip
SURNAMES = (
    ("Nowak", "Nowak"), ("Kowalska", "Kowalski"), ("Wiśniewska", "Wiśniewski"),
    ("Wójcik", "Wójcik"), ("Kowalczyk", "Kowalczyk"), ("Kamińska", "Kamiński"),
    ("Lewandowska", "Lewandowski"), ("Zielińska", "Zieliński"), ("Szymańska", "Szymański"),
    ("Woźniak", "Woźniak"), ("Dąbrowska", "Dąbrowski"), ("Kozłowska", "Kozłowski"),
    ("Jankowska", "Jankowski"), ("Mazur", "Mazur"), ("Krawczyk", "Krawczyk"),
    ("Piotrowska", "Piotrowski"), ("Grabowska", "Grabowski"), ("Pawłowska", "Pawłowski"),
    ("Michalska", "Michalski"), ("Zając", "Zając"),
)  # fmt: skip
_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")
# Polish mobile ranges (5xx, 6xx, 7xx, 8xx); every number is still checked by phonenumbers.
MOBILE_PREFIXES = ("50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88")


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    category: str
    price_minor: int  # PLN grosze


CATALOGUE = (
    Product("KAW-001", "Kawa ziarnista Brazylia 1 kg", "kawa i herbata", 8999),
    Product("KAW-002", "Kawa mielona Etiopia 250 g", "kawa i herbata", 3499),
    Product("HER-001", "Herbata zielona Sencha 100 g", "kawa i herbata", 2499),
    Product("HER-002", "Herbata owocowa, 20 torebek", "kawa i herbata", 999),
    Product("SLO-001", "Czekolada gorzka 70% 100 g", "słodycze", 899),
    Product("SLO-002", "Pierniki toruńskie 200 g", "słodycze", 1299),
    Product("SLO-003", "Krówki 250 g", "słodycze", 1099),
    Product("KSI-001", "Przewodnik po Krakowie", "książki", 4990),
    Product("KSI-002", "Kryminał, wydanie kieszonkowe", "książki", 3999),
    Product("KSI-003", "Kuchnia polska. Przepisy", "książki", 7990),
    Product("KSI-004", "Kalendarz ścienny", "książki", 2990),
    Product("DOM-001", "Kubek ceramiczny 350 ml", "dom", 3490),
    Product("DOM-002", "Świeca zapachowa", "dom", 4500),
    Product("DOM-003", "Koc bawełniany", "dom", 12900),
    Product("DOM-004", "Poduszka lniana", "dom", 8900),
    Product("DOM-005", "Ścierki kuchenne, 2 szt.", "dom", 1990),
    Product("KOS-001", "Krem do rąk 75 ml", "kosmetyki", 1899),
    Product("KOS-002", "Mydło naturalne", "kosmetyki", 1290),
    Product("KOS-003", "Balsam do ust", "kosmetyki", 999),
    Product("KOS-004", "Szampon 400 ml", "kosmetyki", 2499),
    Product("PAP-001", "Notes A5 w kratkę", "papiernicze", 1490),
    Product("PAP-002", "Długopis żelowy", "papiernicze", 599),
    Product("PAP-003", "Kartka okolicznościowa", "papiernicze", 799),
    Product("PAP-004", "Papier do pakowania", "papiernicze", 499),
    Product("ZAB-001", "Puzzle 1000 elementów", "zabawki", 5999),
    Product("ZAB-002", "Gra planszowa", "zabawki", 12999),
    Product("ZAB-003", "Pluszowy miś", "zabawki", 6999),
    Product("AKC-001", "Kabel USB-C 1 m", "akcesoria", 2999),
    Product("AKC-002", "Powerbank 10000 mAh", "akcesoria", 11999),
    Product("AKC-003", "Słuchawki douszne", "akcesoria", 19999),
)


@dataclass(frozen=True, slots=True)
class Store:
    store_id: str
    channel: str


STORES = (
    Store("waw-01", "pos"),
    Store("krk-01", "pos"),
    Store("gdn-01", "pos"),
    Store("online", "online"),
    Store("app", "app"),
)
ADMIN = "admin:demo"
JOINING_LIFT = 0.35
"""After joining, each visit a member would have made anyway brings, with this chance, one more
(at any moment between joining and now): the programme's effect in the demo."""
GOODWILL_REASONS = (
    "Goodwill: parcel delivered late",
    "Complaint settled: damaged goods replaced",
    "Points for a purchase made without the card",
    "Birthday bonus granted by the store manager",
)
CORRECTION_REASONS = (
    "Correction: points earned on a staff purchase",
    "Correction: bonus granted twice",
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    members: int
    purchases: int
    returns: int
    redemptions: int  # committed till reservations
    adjustments: int
    points_outstanding: int  # available + pending + held, summed over members
    engagement: EngagementSummary | None = None  # rewards, referrals, partner, boards


# The plan: what happens, to whom, when. Members are referred to by their index.
@dataclass(frozen=True, slots=True)
class _Buy:
    key: int
    member: int
    store: Store
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class _Return:
    purchase_key: int
    lines: tuple[ReturnLineRequest, ...] | None  # None: the whole receipt


@dataclass(frozen=True, slots=True)
class _Spend:
    member: int
    points: int
    store: Store
    commit: bool  # else the customer changes their mind and the till releases the hold


@dataclass(frozen=True, slots=True)
class _Adjust:
    member: int
    points: int
    reason: str


_Action: TypeAlias = _Buy | _Return | _Spend | _Adjust


@dataclass(frozen=True, slots=True)
class _Event:
    at: datetime
    order: int  # ties broken by planning order
    action: _Action


@dataclass(slots=True)
class _Tally:
    purchases: int = 0
    returns: int = 0
    redemptions: int = 0
    adjustments: int = 0


def seed_demo(
    container: Container,
    *,
    members: int = 300,
    seed: int = 20261122,
    progress: Callable[[int, int], None] | None = None,
    engagement: bool = True,
) -> DemoSummary:
    """Fill an empty database with demo traffic; on a database with members, do nothing.

    Either way, return a summary of what the database holds. ``progress(done, total)``
    is called after every member and every event.
    """
    if members < 0:
        raise ValueError("members must not be negative")
    with container.ctx.uow() as uow:
        seeded = uow.members.count() > 0
    if seeded:  # summarised outside that unit of work: SQLite allows one writer at a time
        return summarize(container)
    rng = random.Random(seed)
    joining = random.Random(f"{seed}-joining")  # apart, so the rest of the year stays the same
    now = container.ctx.clock.now()
    phones: set[str] = set()
    drafts = [_draft(rng, index, phones) for index in range(members)]
    homes = [rng.choice(STORES) for _ in range(members)]
    events = _plan(rng, members, homes, now)
    joins = [_shopping_time(joining, now - timedelta(days=365), now) for _ in range(members)]
    events = _more_visits_after_joining(joining, events, joins, homes, now)
    total = members + len(events)

    enrolled = _enrol(container, rng, drafts, joins, engagement, progress, total)
    balances = {m.member_id: MemberBalance() for m in enrolled}
    runner = _Runner(container, enrolled, balances)
    for done, event in enumerate(events, start=members + 1):
        runner.run(event)
        if progress:
            progress(done, total)
    tally = runner.tally
    engaged = seed_engagement(container, rng, enrolled) if engagement else None
    if engaged is not None:  # referrals, prizes and the partner moved points the runner never saw
        with container.ctx.uow() as uow:
            balances = {m.member_id: uow.ledger.balance(m.member_id) for m in enrolled}
    return DemoSummary(
        members=len(enrolled),
        purchases=tally.purchases,
        returns=tally.returns,
        redemptions=tally.redemptions,
        adjustments=tally.adjustments,
        points_outstanding=sum(_outstanding(b) for b in balances.values()),
        engagement=engaged,
    )


def _enrol(
    container: Container,
    rng: random.Random,
    drafts: list[MemberDraft],
    joins: list[datetime],
    engagement: bool,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> list[Member]:
    """Each member enrolled at their joining moment, in the order they joined: the welcome and
    the friend's referral points are dated then, and an advocate always joined earlier."""
    moment = ReplayClock()  # the members enrol in the order they joined
    at_joining = replace(container.ctx, clock=moment)
    referrals = ReferralService(at_joining)  # wired as the container wires its own
    service = MemberService(at_joining, listener=EventService(at_joining), referrals=referrals)
    referring = engagement and _referrals_enabled(container)
    enrolled: dict[int, Member] = {}
    for done, index in enumerate(sorted(range(len(drafts)), key=joins.__getitem__), start=1):
        moment.set(joins[index])
        earlier = list(enrolled.values())
        with container.ctx.uow() as uow:
            code = _referral_code(container, uow, rng, earlier) if referring else None
            enrolled[index] = service.enrol(uow, drafts[index], referral_code=code)
            uow.commit()
        if progress:
            progress(done, total)
    return [enrolled[index] for index in range(len(drafts))]


def _referrals_enabled(container: Container) -> bool:
    with container.ctx.uow() as uow:
        policy = container.ctx.programmes.compiled(uow).document.referrals
    return policy is not None and policy.enabled


def _referral_code(
    container: Container, uow: UnitOfWork, rng: random.Random, enrolled: list[Member]
) -> str | None:
    """One member in eight joins with the code a friend gave them."""
    if len(enrolled) < 8 or rng.random() >= 1 / 8:
        return None
    return container.referrals.code_for(uow, rng.choice(enrolled).member_id)


def summarize(container: Container) -> DemoSummary:
    """What the database holds, counted in its tables."""
    with Session(container.engine) as session:

        def count(table: type[Base], *criteria: ColumnElement[bool]) -> int:
            return int(
                session.scalar(select(func.count()).select_from(table).where(*criteria)) or 0
            )

        liability = MemberBalanceRow.available + MemberBalanceRow.pending + MemberBalanceRow.held
        outstanding = session.scalar(select(func.coalesce(func.sum(liability), 0)))
        return DemoSummary(
            members=count(MemberRow),
            purchases=count(PurchaseRow),
            returns=count(PurchaseReturnRow),
            redemptions=count(ReservationRow, ReservationRow.status == HoldStatus.COMMITTED.value),
            adjustments=count(JournalEntryRow, JournalEntryRow.kind == EntryKind.ADJUSTMENT.value),
            points_outstanding=int(outstanding or 0),
        )


def _outstanding(balance: MemberBalance) -> int:
    return balance.available + balance.pending + balance.held


class _Runner:
    """Carries out planned events through the services, one unit of work each."""

    def __init__(
        self, container: Container, members: list[Member], balances: dict[str, MemberBalance]
    ) -> None:
        self._c = container
        self._members = members
        self._balances = balances
        self._purchase_ids: dict[int, str] = {}
        self._receipts: dict[str, int] = {}
        self.tally = _Tally()
        # A till's redemption and an admin's correction carry no date of their own: they
        # are recorded at the clock's now, so they run on a clock set to the event's moment
        # (the events come in time order).
        self._moment = ReplayClock()
        at_moment = replace(container.ctx, clock=self._moment)
        self._reservations = ReservationService(at_moment)
        self._adjustments = AdjustmentService(at_moment)

    def run(self, event: _Event) -> None:
        action = event.action
        if isinstance(action, _Buy):
            self._buy(event.at, action)
        elif isinstance(action, _Return):
            self._return(event.at, action)
        elif isinstance(action, _Spend):
            self._moment.set(event.at)
            self._spend(action)
        else:
            self._moment.set(event.at)
            self._adjust(action)

    def _buy(self, at: datetime, buy: _Buy) -> None:
        member = self._members[buy.member]
        number = self._receipts.get(buy.store.store_id, 0) + 1
        self._receipts[buy.store.store_id] = number
        command = PurchaseCommand(
            member=_identifier(member, buy.store.channel),
            store_id=buy.store.store_id,
            receipt_id=f"R-{buy.store.store_id}-{number:06d}",
            channel=buy.store.channel,
            occurred_at=at,
            currency=self._c.ctx.terms.currency,
            total_minor=sum(line.total_minor for line in buy.lines),
            lines=buy.lines,
        )
        with self._c.ctx.uow() as uow:
            result = self._c.purchases.record(uow, command)
            uow.commit()
        self._purchase_ids[buy.key] = result.purchase.purchase_id
        self._balances[member.member_id] = result.balance
        self.tally.purchases += 1

    def _return(self, at: datetime, ret: _Return) -> None:
        command = ReturnCommand(self._purchase_ids[ret.purchase_key], ret.lines, at)
        with self._c.ctx.uow() as uow:
            result = self._c.purchases.record_return(uow, command)
            uow.commit()
        self._balances[result.purchase.member_id] = result.balance
        self.tally.returns += 1

    def _spend(self, spend: _Spend) -> None:
        member = self._members[spend.member]
        with self._c.ctx.uow() as uow:
            if self._c.members.balance(uow, member.member_id).available < spend.points:
                return  # not enough points yet: the till would not offer it
            hold = self._reservations.reserve(
                uow,
                ReserveCommand(
                    member=member.card_number,
                    points=spend.points,
                    store_id=spend.store.store_id,
                    channel=spend.store.channel,
                    reference=f"B-{spend.store.store_id}-{len(self._purchase_ids):06d}",
                ),
            )
            uow.commit()
        with self._c.ctx.uow() as uow:
            if spend.commit:
                result = self._reservations.commit(uow, hold.hold.hold_id, None)
            else:
                result = self._reservations.release(uow, hold.hold.hold_id)
            uow.commit()
        self._balances[member.member_id] = result.balance
        if spend.commit:
            self.tally.redemptions += 1

    def _adjust(self, adjust: _Adjust) -> None:
        member = self._members[adjust.member]
        with self._c.ctx.uow() as uow:
            if -adjust.points > self._c.members.balance(uow, member.member_id).available:
                return  # nothing left to correct
            result = self._adjustments.adjust(
                uow, AdjustmentCommand(member.member_id, adjust.points, adjust.reason, ADMIN)
            )
            uow.commit()
        self._balances[member.member_id] = result.balance
        self.tally.adjustments += 1


def _identifier(member: Member, channel: str) -> str:
    """What each channel sends: the till scans the card, the shop knows the e-mail."""
    if channel == "online" and member.email:
        return member.email
    if channel == "app":
        return member.member_id
    return member.card_number


# -- members ---------------------------------------------------------------------------


def _draft(rng: random.Random, index: int, phones: set[str]) -> MemberDraft:
    female = rng.random() < 0.55
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    last = rng.choice(SURNAMES)[0 if female else 1]
    email = f"{first}.{last}.{index + 1}@example.pl".translate(_ASCII).lower()
    birth = None
    if rng.random() < 0.6:
        birth = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
    return MemberDraft(
        external_id=f"shop-{index + 1:06d}",
        phone=_phone(rng, phones),
        email=email,
        first_name=first,
        last_name=last,
        birth_date=birth,
        attributes={"source": "demo"},
    )


def _phone(rng: random.Random, used: set[str]) -> str:
    """A valid Polish mobile number nobody else in the demo has."""
    while True:
        digits = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
        text = f"+48 {digits[:3]} {digits[3:6]} {digits[6:]}"
        number = phonenumbers.parse(text)
        if (
            digits not in used
            and phonenumbers.is_valid_number(number)
            and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        ):
            used.add(digits)
            return text


# -- the year's events ---------------------------------------------------------------


def _plan(rng: random.Random, members: int, homes: list[Store], now: datetime) -> list[_Event]:
    start = now - timedelta(days=365)
    events: list[_Event] = []
    keys = iter(range(1, 10**9))

    def add(at: datetime, action: _Action) -> bool:
        if not start <= at < now:
            return False
        events.append(_Event(at, len(events), action))
        return True

    for member in range(members):
        count = _purchase_count(rng)
        times = sorted(_shopping_time(rng, start, now) for _ in range(count))
        for at in times:
            store = homes[member] if rng.random() < 0.7 else rng.choice(STORES)
            buy = _Buy(next(keys), member, store, _basket(rng))
            if not add(at, buy):
                continue
            if rng.random() < 0.05:
                later = at + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 8))
                add(later, _Return(buy.key, _returned(rng, buy.lines)))
            if rng.random() < 0.02:
                later = at + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
                add(later, _adjustment(rng, member))
        if times and rng.random() < 0.15 + 0.02 * count:  # regulars spend more often
            attempts = 1 + (count >= 15)
            for _ in range(attempts):
                at = times[0] + (now - times[0]) * rng.uniform(0.2, 0.99)
                add(at, _Spend(member, rng.randint(50, 300), homes[member], rng.random() < 0.75))
    events.sort(key=lambda e: (e.at, e.order))
    return events


def _more_visits_after_joining(
    rng: random.Random,
    events: list[_Event],
    joins: list[datetime],
    homes: list[Store],
    now: datetime,
) -> list[_Event]:
    """The programme's effect: for each purchase a member makes after joining, one more visit
    with the chance ``JOINING_LIFT``, at a moment between joining and now, at home."""
    extra: list[_Event] = []
    keys = iter(range(10**9, 2 * 10**9))  # apart from the plan's purchase keys
    for event in events:
        action = event.action
        if not isinstance(action, _Buy) or event.at < joins[action.member]:
            continue
        if rng.random() < JOINING_LIFT:
            joined = joins[action.member]
            at = joined + (now - joined) * rng.random()
            buy = _Buy(next(keys), action.member, homes[action.member], _basket(rng))
            extra.append(_Event(at, len(events) + len(extra), buy))
    return sorted([*events, *extra], key=lambda e: (e.at, e.order))


def _purchase_count(rng: random.Random) -> int:
    """0-25 a year: a few never come back, most shop now and then, some are regulars."""
    draw = rng.random()
    if draw < 0.08:
        return 0
    if draw < 0.78:
        return rng.randint(1, 8)
    return rng.randint(9, 25)


def _shopping_time(rng: random.Random, start: datetime, now: datetime) -> datetime:
    day = start + timedelta(days=rng.randrange((now - start).days))
    midnight = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(
        hours=rng.randint(8, 20), minutes=rng.randrange(60), seconds=rng.randrange(60)
    )


def _basket(rng: random.Random) -> tuple[Line, ...]:
    size = rng.choices(range(1, 7), weights=(30, 25, 18, 12, 9, 6))[0]
    lines = []
    for product in rng.sample(CATALOGUE, size):
        quantity = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        if product.price_minor > 5000:
            quantity = 1
        discount = 0
        if rng.random() < 0.1:  # a 10% promotion on the line
            discount = quantity * product.price_minor // 10
        lines.append(
            Line(
                sku=product.sku,
                quantity=quantity,
                unit_price_minor=product.price_minor,
                discount_minor=discount,
                name=product.name,
                category=product.category,
            )
        )
    return tuple(lines)


def _returned(rng: random.Random, lines: tuple[Line, ...]) -> tuple[ReturnLineRequest, ...] | None:
    """The whole receipt, or some of one line."""
    if rng.random() < 0.4 or (len(lines) == 1 and lines[0].quantity == 1):
        return None
    line = rng.choice(lines)
    return (ReturnLineRequest(line.sku, rng.randint(1, line.quantity)),)


def _adjustment(rng: random.Random, member: int) -> _Adjust:
    if rng.random() < 0.8:
        return _Adjust(member, rng.randint(1, 10) * 10, rng.choice(GOODWILL_REASONS))
    return _Adjust(member, -rng.randint(5, 50), rng.choice(CORRECTION_REASONS))
