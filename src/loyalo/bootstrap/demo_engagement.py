"""The demo's engagement, after its year of till traffic: rewards redeemed from the
catalogue, a partner cinema trading on the shared programme, nicknames on the
leaderboards. Referrals happen during the year (``demo.py`` enrols some members with
another member's code) and the challenges progress with every purchase.

Everything goes through the application services at the clock's now, one unit of
work per operation, driven by the demo's ``random.Random``: the same seed gives the
same figures.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from loyalo.application.gamification.service import BoardPeriod
from loyalo.application.partners.service import PartnerDraft
from loyalo.application.ports import UnitOfWork
from loyalo.application.purchases import PurchaseCommand
from loyalo.application.reservations import ReserveCommand
from loyalo.application.rewards.redemptions import RedeemCommand
from loyalo.bootstrap.container import Container
from loyalo.domain.gamification.leaderboard import Ranked
from loyalo.domain.members.member import Member
from loyalo.domain.money import Money
from loyalo.domain.partners.partner import Rates
from loyalo.domain.purchases.basket import Line

PARTNER_ID = "kino-luna"
PARTNER_NAME = "Kino Luna"
PARTNER_STORE = "luna-01"
PARTNER_RATES = Rates(
    earn_points_per_unit=Decimal(2),  # 2 points per 1.00 of tickets
    issue_price=Decimal("0.02"),  # the cinema pays 0.02 for every point its tickets issue
    redeem_price=Decimal("0.08"),  # the programme pays 0.08 for every point spent there
)
TICKETS = (("BILET-N", "Bilet normalny", 3200), ("BILET-U", "Bilet ulgowy", 2400))
CHALLENGE = "three-visits-a-month"
NICKNAMES = ("Kawosz", "Mol_Książkowy", "Łasuch", "Planszówkarz", "Nocny_Marek", "Sówka")


@dataclass(frozen=True, slots=True)
class BoardLine:
    position: int
    name: str  # a nickname, or "Member 4F2A": never a real name
    value: int


@dataclass(frozen=True, slots=True)
class EngagementSummary:
    rewards_in_catalogue: int
    redeemed: dict[str, int]  # reward id → redemptions
    referred: int  # members who joined with another member's code
    referrals_qualified: int  # of those, first purchases that rewarded the pair
    partner: str
    partner_key: str
    partner_purchases: int
    partner_redemptions: int
    settlement_issued: int
    settlement_redeemed: int
    settlement_net: Money  # positive: the partner owes the programme
    running_challenges: tuple[str, ...]
    month_board: tuple[BoardLine, ...]  # points earned last month
    challenge_board: tuple[BoardLine, ...]  # CHALLENGE, last month's window
    challenge_board_now: tuple[BoardLine, ...]  # CHALLENGE, the window running now


def seed_engagement(
    container: Container, rng: random.Random, members: list[Member]
) -> EngagementSummary:
    now = container.ctx.clock.now()
    _nicknames(container, rng, members)
    redeemed = _redeem_rewards(container, rng, members)
    key, purchases, redemptions = _partner_cinema(container, rng, members, now)
    with container.ctx.uow() as uow:
        # settlement days and board months are the programme's calendar, not UTC's: late
        # in a UTC evening Warsaw is already on the next day, where today's trades fall
        local = now.astimezone(container.ctx.programmes.compiled(uow).zone)
        catalogue = container.rewards.catalogue(uow, None, None)
        settlement = container.partners.settlement(
            uow, PARTNER_ID, _days_before(local, 30), local.date()
        )
        running = tuple(c.challenge.id for c in container.gamification.running(uow, now))
        last_month = _month_start(local) - timedelta(days=1)
        at = datetime.combine(last_month, local.timetz())
        month = container.gamification.points_board(uow, BoardPeriod.MONTH, at, 5).entries
        challenge: tuple[Ranked, ...] = ()
        challenge_now: tuple[Ranked, ...] = ()
        if _has_challenge(container, uow):
            challenge = container.gamification.challenge_board(uow, CHALLENGE, at, 5).entries
            challenge_now = container.gamification.challenge_board(uow, CHALLENGE, now, 5).entries
    referred, qualified = _referrals(container, members)
    return EngagementSummary(
        rewards_in_catalogue=len(catalogue),
        redeemed=dict(sorted(redeemed.items())),
        referred=referred,
        referrals_qualified=qualified,
        partner=PARTNER_NAME,
        partner_key=key,
        partner_purchases=purchases,
        partner_redemptions=redemptions,
        settlement_issued=settlement.points_issued_net,
        settlement_redeemed=settlement.points_redeemed,
        settlement_net=Money(settlement.net_minor, settlement.currency),
        running_challenges=running,
        month_board=_lines(month),
        challenge_board=_lines(challenge),
        challenge_board_now=_lines(challenge_now),
    )


def _lines(board: tuple[Ranked, ...]) -> tuple[BoardLine, ...]:
    return tuple(BoardLine(r.position, r.display_name, r.value) for r in board)


def _has_challenge(container: Container, uow: UnitOfWork) -> bool:
    """The example programme runs CHALLENGE; another programme (or none applied) may not."""
    challenges = container.ctx.programmes.compiled(uow).document.challenges
    return any(challenge.id == CHALLENGE for challenge in challenges)


def _days_before(moment: datetime, days: int) -> date:
    return (moment - timedelta(days=days)).date()


def _month_start(moment: datetime) -> date:
    return moment.date().replace(day=1)


def _nicknames(container: Container, rng: random.Random, members: list[Member]) -> None:
    """One member in three chose a nickname; one in ten left the leaderboards."""
    for index, member in enumerate(members):
        nickname = f"{NICKNAMES[index % len(NICKNAMES)]}{index}" if index % 3 == 0 else None
        leaderboard = rng.random() >= 0.1
        if nickname is None and leaderboard:
            continue
        with container.ctx.uow() as uow:
            container.gamification.set_profile(uow, member.member_id, nickname, leaderboard)
            uow.commit()


def _redeem_rewards(
    container: Container, rng: random.Random, members: list[Member]
) -> Counter[str]:
    """Members who can afford something take one reward they are eligible for."""
    redeemed: Counter[str] = Counter()
    for member in rng.sample(members, k=min(len(members), max(1, len(members) // 3))):
        with container.ctx.uow() as uow:
            views = container.rewards.catalogue(uow, member.member_id, "app")
            choices = sorted(
                view.reward.id
                for view in views
                if view.decision is not None and view.decision.eligible and view.decision.affordable
            )
            if not choices:
                continue
            by_cost = {view.reward.id: view.reward.points for view in views}
            # half the members save for the dearest reward they can have, half take any
            dearest = max(choices, key=lambda reward: (by_cost[reward], reward))
            reward_id = dearest if rng.random() < 0.5 else rng.choice(choices)
            container.rewards.redeem(uow, RedeemCommand(member.member_id, reward_id, "app"))
            uow.commit()
        redeemed[reward_id] += 1
    return redeemed


def _partner_cinema(
    container: Container, rng: random.Random, members: list[Member], now: datetime
) -> tuple[str, int, int]:
    """Kino Luna joins the coalition: tickets earn points, points buy tickets."""
    currency = container.ctx.terms.currency
    with container.ctx.uow() as uow:
        container.partners.create(
            uow, PartnerDraft(PARTNER_ID, PARTNER_NAME, currency, PARTNER_RATES)
        )
        uow.commit()
    key = container.partners.create_key(PARTNER_ID, "Kino Luna box office").token
    till = container.partners.till
    purchases = 0
    for number in range(1, 2 * len(members) // 3 + 1):
        member = rng.choice(members)
        sku, name, price = rng.choice(TICKETS)
        quantity = rng.randint(1, 3)
        line = Line(sku=sku, name=name, quantity=quantity, unit_price_minor=price)
        command = PurchaseCommand(
            member=member.card_number,
            store_id=PARTNER_STORE,
            receipt_id=f"LUNA-{number:05d}",
            channel="pos",
            occurred_at=now - timedelta(hours=rng.randint(1, 24 * 20)),  # within the settlement
            currency=currency,
            total_minor=line.total_minor,
            lines=(line,),
        )
        with container.ctx.uow() as uow:
            till.record_purchase(uow, PARTNER_ID, command)
            uow.commit()
        purchases += 1
    return key, purchases, _spend_at_the_cinema(container, members)


def _spend_at_the_cinema(container: Container, members: list[Member]) -> int:
    """The richest members pay a ticket (320 points = 32.00) with points at the box office."""
    till = container.partners.till
    with container.ctx.uow() as uow:
        available = {m.member_id: uow.ledger.balance(m.member_id).available for m in members}
    richest = sorted(members, key=lambda m: (-available[m.member_id], m.member_id))[:3]
    spent = 0
    for index, member in enumerate(richest):
        if available[member.member_id] < 320:
            continue
        with container.ctx.uow() as uow:
            hold = till.reserve(
                uow,
                PARTNER_ID,
                ReserveCommand(
                    member=member.card_number,
                    points=320,
                    store_id=PARTNER_STORE,
                    channel="pos",
                    reference=f"LUNA-PTS-{index + 1:03d}",
                ),
            )
            uow.commit()
        with container.ctx.uow() as uow:
            till.commit(uow, PARTNER_ID, hold.hold.hold_id, None)
            uow.commit()
        spent += 1
    return spent


def _referrals(container: Container, members: list[Member]) -> tuple[int, int]:
    referred = qualified = 0
    with container.ctx.uow() as uow:
        for member in members:
            referral = container.referrals.of_friend(uow, member.member_id)
            if referral is None:
                continue
            referred += 1
            if referral.qualified_at is not None:
                qualified += 1
    return referred, qualified
