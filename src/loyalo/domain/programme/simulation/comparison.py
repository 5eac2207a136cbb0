"""Two sides of a backtest side by side: counted, valued, and their difference.

How the figures are valued (docs/PROGRAMME.md, "Backtesting a change"):

* A point is worth ``1 / redeem_points_per_unit`` of the currency, each side at
  its own programme's rate. ``value`` is the net points (issued less taken back
  by returns) at that worth; ``expected cost`` is the value times the assumed
  share of points that members will redeem (``redemption_rate``).
* Discounts are money given at the till, less their share on goods returned.
* ``total cost`` is the expected cost of the points plus the discounts (plus
  cashback to a money wallet, when there is one).
* The liability at the end is what the ledger held at the start of the period,
  plus the side's net points, less what the ledger recorded as redeemed and
  expired, plus adjustments: members' behaviour (redemptions) and the admins'
  corrections are taken as they happened, the same for both sides.
* A rule's cost is its net points at full value plus its net discounts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.engine.compiled import BASE_RULE, BIRTHDAY_RULE, WELCOME_RULE
from loyalo.domain.programme.simulation.figures import RuleFigures, SideFigures
from loyalo.domain.programme.simulation.history import LedgerMovements

DEFAULT_REDEMPTION_RATE = Decimal("0.7")


@dataclass(frozen=True, slots=True)
class Side:
    """One side's programme and what its replay counted."""

    label: str  # "live" or "candidate"
    version: int | None  # the stored version; None for a file
    document: ProgrammeDocument
    figures: SideFigures


@dataclass(frozen=True, slots=True)
class SideSummary:
    label: str
    version: int | None
    programme: str
    purchases: int
    returns: int
    events: int
    returns_unmatched: int
    sales: Decimal
    points_issued: int
    points_back: int
    net_points: int
    redeem_points_per_unit: Decimal  # points that pay 1.00 of the currency
    value: Decimal
    expected_cost: Decimal
    discounts: Decimal
    cashback_points: int
    cashback: Decimal
    rewards: dict[str, int]
    total_cost: Decimal
    liability_points: int
    liability_value: Decimal
    tiers: dict[str, int]  # tier id -> members at the end, in the programme's order
    tier_upgrades: int
    tier_downgrades: int


@dataclass(frozen=True, slots=True)
class RuleCost:
    rule_id: str
    name: str
    live_points: int
    live_discount: Decimal
    live_cost: Decimal
    candidate_points: int
    candidate_discount: Decimal
    candidate_cost: Decimal

    @property
    def difference(self) -> Decimal:
        return self.candidate_cost - self.live_cost


@dataclass(frozen=True, slots=True)
class TierMove:
    """Members whose tier at the end differs: ``live`` under the live programme."""

    live: str | None
    candidate: str | None
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FigureRow:
    key: str
    label: str
    kind: str  # count, points or money
    live: int | Decimal
    candidate: int | Decimal

    @property
    def difference(self) -> int | Decimal:
        return self.candidate - self.live


@dataclass(frozen=True, slots=True)
class Comparison:
    start: date
    end: date  # the last day, included
    currency: str
    redemption_rate: Decimal
    live: SideSummary
    candidate: SideSummary
    ledger: LedgerMovements
    tier_moves: tuple[TierMove, ...]
    members_compared: int
    top_rules: tuple[RuleCost, ...]

    @property
    def live_matches_ledger(self) -> bool:
        return self.live.net_points == self.ledger.net_issued

    def rows(self) -> list[FigureRow]:
        """Every figure of both sides, in the order a report shows them."""
        live, candidate = self.live, self.candidate
        share = f"{format((self.redemption_rate * 100).normalize(), 'f')}%"
        specs: list[tuple[str, str, str]] = [
            ("purchases", "purchases replayed", "count"),
            ("returns", "returns replayed", "count"),
            ("events", "events replayed", "count"),
            ("sales", "sales (as rung up)", "money"),
            ("points_issued", "points issued", "points"),
            ("points_back", "points taken back by returns", "points"),
            ("net_points", "net points", "points"),
            ("value", "their value at the redemption rate", "money"),
            ("expected_cost", f"expected cost if {share} are redeemed", "money"),
            ("discounts", "discounts given (net of returns)", "money"),
            ("cashback_points", "cashback, in points (included above)", "points"),
            ("cashback", "cashback, valued", "money"),
            ("rewards_issued", "rewards issued", "count"),
            ("total_cost", "total expected cost (points + discounts)", "money"),
            ("liability_points", "liability at the end, points", "points"),
            ("liability_value", "liability at the end, valued", "money"),
            ("tier_upgrades", "tier upgrades", "count"),
            ("tier_downgrades", "tier downgrades", "count"),
        ]
        return [
            FigureRow(key, label, kind, _figure(live, key), _figure(candidate, key))
            for key, label, kind in specs
        ]


def _figure(side: SideSummary, key: str) -> int | Decimal:
    if key == "rewards_issued":
        return sum(side.rewards.values())
    value: int | Decimal = getattr(side, key)
    return value


def compare(
    live: Side,
    candidate: Side,
    ledger: LedgerMovements,
    *,
    start: date,
    end: date,
    redemption_rate: Decimal = DEFAULT_REDEMPTION_RATE,
    top: int = 10,
) -> Comparison:
    currency = live.document.currency
    money = _rounder(currency_exponent(currency))
    live_summary = _summary(live, ledger, redemption_rate, money)
    candidate_summary = _summary(candidate, ledger, redemption_rate, money)
    moves, compared = _tier_moves(live.figures.end_tiers, candidate.figures.end_tiers)
    return Comparison(
        start=start,
        end=end,
        currency=currency,
        redemption_rate=redemption_rate,
        live=live_summary,
        candidate=candidate_summary,
        ledger=ledger,
        tier_moves=moves,
        members_compared=compared,
        top_rules=_top_rules(live, candidate, money, top),
    )


Rounder = Callable[[Decimal], Decimal]


def _rounder(exponent: int) -> Rounder:
    quantum = Decimal(1).scaleb(-exponent)
    return lambda amount: amount.quantize(quantum, rounding=ROUND_HALF_UP)


def _summary(
    side: Side, ledger: LedgerMovements, redemption_rate: Decimal, money: Rounder
) -> SideSummary:
    figures, document = side.figures, side.document
    exponent = currency_exponent(document.currency)
    rate = document.redeem_points_per_unit
    net = figures.net_points
    value = money(net / rate)
    expected = money(net * redemption_rate / rate)
    discounts = money(Decimal(figures.discount_minor).scaleb(-exponent))
    wallet = Decimal(figures.cashback_minor).scaleb(-exponent)
    liability = ledger.opening_points + net - ledger.redeemed - ledger.expired + ledger.adjusted
    return SideSummary(
        label=side.label,
        version=side.version,
        programme=document.name,
        purchases=figures.purchases,
        returns=figures.returns,
        events=figures.events,
        returns_unmatched=figures.returns_unmatched,
        sales=money(Decimal(figures.sales_minor).scaleb(-exponent)),
        points_issued=figures.points_issued,
        points_back=figures.points_back,
        net_points=net,
        redeem_points_per_unit=rate,
        value=value,
        expected_cost=expected,
        discounts=discounts,
        cashback_points=figures.cashback_points,
        cashback=money(figures.cashback_points / rate + wallet),
        rewards=dict(sorted(figures.rewards.items())),
        total_cost=money(expected + discounts + wallet),
        liability_points=liability,
        liability_value=money(liability / rate),
        tiers=_tier_counts(document, figures.end_tiers),
        tier_upgrades=figures.tier_upgrades,
        tier_downgrades=figures.tier_downgrades,
    )


def _tier_counts(document: ProgrammeDocument, end_tiers: dict[str, str]) -> dict[str, int]:
    if document.tiers is None:
        return {}
    counts = Counter(end_tiers.values())
    return {tier.id: counts.get(tier.id, 0) for tier in document.tiers.levels}


def _tier_moves(
    live: dict[str, str], candidate: dict[str, str]
) -> tuple[tuple[TierMove, ...], int]:
    moved: dict[tuple[str | None, str | None], list[str]] = {}
    members = sorted(live.keys() | candidate.keys())
    for member_id in members:
        before, after = live.get(member_id), candidate.get(member_id)
        if before != after:
            moved.setdefault((before, after), []).append(member_id)
    moves = [TierMove(a, b, tuple(ids)) for (a, b), ids in moved.items()]
    moves.sort(key=lambda move: (-len(move.members), move.live or "", move.candidate or ""))
    return tuple(moves), len(members)


def _top_rules(live: Side, candidate: Side, money: Rounder, top: int) -> tuple[RuleCost, ...]:
    names = {**_rule_names(live.document), **_rule_names(candidate.document)}
    exponent = currency_exponent(live.document.currency)
    empty = RuleFigures()
    rows = []
    for rule_id in live.figures.rules.keys() | candidate.figures.rules.keys():
        mine = live.figures.rules.get(rule_id, empty)
        theirs = candidate.figures.rules.get(rule_id, empty)
        live_discount = money(Decimal(mine.net_discount_minor).scaleb(-exponent))
        candidate_discount = money(Decimal(theirs.net_discount_minor).scaleb(-exponent))
        rows.append(
            RuleCost(
                rule_id,
                names.get(rule_id, rule_id),
                mine.net_points,
                live_discount,
                money(mine.net_points / live.document.redeem_points_per_unit + live_discount),
                theirs.net_points,
                candidate_discount,
                money(
                    theirs.net_points / candidate.document.redeem_points_per_unit
                    + candidate_discount
                ),
            )
        )
    rows.sort(key=lambda row: (-max(row.live_cost, row.candidate_cost), row.rule_id))
    return tuple(rows[:top])


def _rule_names(document: ProgrammeDocument) -> dict[str, str]:
    names = {BASE_RULE: "Base earning rate", WELCOME_RULE: "Welcome bonus"}
    names[BIRTHDAY_RULE] = "Birthday bonus"
    for tier in document.tiers.levels if document.tiers else ():
        names[f"tier:{tier.id}"] = f"{tier.name} tier benefits"
    names.update({rule.id: rule.name for rule in document.rules})
    return names
