"""A programme version compiled once: conditions turned into closures, rules indexed.

Everything about a rule that does not depend on the purchase is worked out
here, once per version, rather than on every evaluation: its place in the
priority order, the stage its effect belongs to, its tiers and exclusions as
sets, its schedule with the moments made aware, its minimum order in minor
units, and the scope names its conditions read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document import ProgrammeDocument, Rule
from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.effects import (
    DISCOUNT_EFFECTS,
    FixedPoints,
    Multiplier,
    PointsPerAmount,
)
from loyalo.domain.programme.document.memberships import MembershipPlan
from loyalo.domain.programme.document.rules import Limits, PerMemberLimit, Schedule, Trigger
from loyalo.domain.programme.document.tiers import Tier
from loyalo.domain.programme.engine.arithmetic import rate_per_minor, units_to_minor
from loyalo.domain.programme.engine.index import LineKeys, line_keys
from loyalo.domain.programme.engine.membership import PlanTerms
from loyalo.domain.programme.engine.views import SCOPE_NAMES
from loyalo.domain.programme.expressions import (
    CompiledExpression,
    compile_expression,
    condition_of,
)
from loyalo.domain.programme.terms import ProgrammeTerms

Condition = Callable[[Mapping[str, object]], bool]

BASE_RULE = "base-rate"
WELCOME_RULE = "welcome-bonus"
BIRTHDAY_RULE = "birthday-bonus"


class Stage(Enum):
    """When a purchase applies a rule's effect (the order of docs/PROGRAMME.md)."""

    DISCOUNT = "discount"  # discount and progressive discount, on goods lines only
    PER_AMOUNT = "per_amount"
    MULTIPLIER = "multiplier"
    OTHER = "other"  # per-unit points, bonuses, fixed points, cashback, stamps, rewards


def stage_of(rule: Rule) -> Stage:
    effect = rule.effect
    if isinstance(effect, DISCOUNT_EFFECTS):
        return Stage.DISCOUNT
    if isinstance(effect, PointsPerAmount):
        return Stage.PER_AMOUNT
    if isinstance(effect, Multiplier):
        return Stage.MULTIPLIER
    return Stage.OTHER


@dataclass(frozen=True, slots=True)
class Window:
    """A rule's schedule, with naive moments put in the programme's time zone once."""

    starts: datetime | None
    ends: datetime | None  # exclusive
    days: frozenset[int]  # Monday 0; empty means every day
    hours: tuple[time, time] | None  # from, until (exclusive); may wrap past midnight

    @classmethod
    def of(cls, schedule: Schedule, zone: ZoneInfo) -> Window:
        hours = None
        if schedule.from_time is not None and schedule.until_time is not None:
            hours = (schedule.from_time, schedule.until_time)
        return cls(
            starts=_aware(schedule.starts, zone) if schedule.starts else None,
            ends=_aware(schedule.ends, zone) if schedule.ends else None,
            days=frozenset(day.number for day in schedule.days),
            hours=hours,
        )

    def contains(self, local: datetime) -> bool:
        if self.starts is not None and local < self.starts:
            return False
        if self.ends is not None and local >= self.ends:
            return False
        if self.days and local.weekday() not in self.days:
            return False
        if self.hours is not None:
            now, (start, end) = local.time(), self.hours
            return start <= now < end if start <= end else (now >= start or now < end)
        return True


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    order: int  # position in the document: the tie-break after priority
    when: Condition | None
    lines: Condition | None
    limit_key: CompiledExpression | None
    keys: LineKeys | None
    zone: ZoneInfo
    rank: int  # position among the purchase rules by priority (highest first), then order
    stage: Stage
    names: frozenset[str]  # the scope names its conditions and limit key read
    tiers: frozenset[str]  # empty: every member
    window: Window | None  # None: always
    skip_delivery: bool  # delivery lines never match (a discount, or include_delivery off)
    exclude_skus: frozenset[str]
    exclude_labels: frozenset[str]
    min_order_minor: int | None
    limit: PerMemberLimit | None
    budget_points: int | None
    rate: str | None  # a per-amount effect's rate as its awards say it: "4 per 1.00"
    points_per_minor: tuple[int, int]  # that rate per minor unit, exactly; (0, 1) without one

    @property
    def id(self) -> str:
        return self.rule.id

    def runs(self, local: datetime, tier: str | None) -> bool:
        """It runs at this moment, for a member of this tier."""
        if self.tiers and tier not in self.tiers:
            return False
        return self.window is None or self.window.contains(local)


@dataclass(frozen=True, slots=True)
class TierTexts:
    """What a tier's benefits are called on a receipt, written once per version."""

    tier: Tier
    rule_id: str  # "tier:silver"
    discount: str  # "10% off for Silver members"
    free_delivery: str

    @classmethod
    def of(cls, tier: Tier) -> TierTexts:
        percent = tier.benefits.discount_percent
        return cls(
            tier=tier,
            rule_id=f"tier:{tier.id}",
            discount=f"{percent}% off for {tier.name} members",
            free_delivery=f"free delivery for {tier.name} members",
        )


@dataclass(frozen=True, slots=True)
class CompiledProgramme:
    version: int
    document: ProgrammeDocument
    exponent: int
    zone: ZoneInfo
    base: CompiledRule | None
    purchase_unindexed: tuple[CompiledRule, ...]
    purchase_index: Mapping[tuple[str, str], tuple[CompiledRule, ...]]
    returns: tuple[CompiledRule, ...]
    events: Mapping[str, tuple[CompiledRule, ...]]
    delivery_skus: frozenset[str] = field(default_factory=frozenset)
    budgets: Mapping[str, int] = field(default_factory=dict)  # rule id -> budget in points
    reads: frozenset[str] = frozenset()  # the scope names any purchase rule reads
    indexed_fields: frozenset[str] = frozenset()  # the fields of purchase_index's keys
    tier_texts: Mapping[str, TierTexts] = field(default_factory=dict)  # tier id -> texts
    plan_terms: Mapping[str, PlanTerms] = field(default_factory=dict)  # plan id -> terms

    def texts_of(self, tier: Tier) -> TierTexts:
        texts = self.tier_texts.get(tier.id)
        return texts if texts is not None and texts.tier is tier else TierTexts.of(tier)

    def terms_of_plan(self, plan: MembershipPlan) -> PlanTerms:
        terms = self.plan_terms.get(plan.id)
        return (
            terms if terms is not None and terms.plan is plan else PlanTerms.of(plan, self.exponent)
        )

    @property
    def terms(self) -> ProgrammeTerms:
        document = self.document
        return ProgrammeTerms(
            currency=document.currency,
            point_name=document.point_name,
            earn_points_per_unit=document.earning.points / document.earning.per,
            redeem_points_per_unit=document.redeem_points_per_unit,
            pending_days=document.pending_days,
            hold_ttl=timedelta(minutes=document.hold_minutes),
            version=self.version,
        )

    @property
    def rule_count(self) -> int:
        indexed = {id(rule) for rules in self.purchase_index.values() for rule in rules}
        return len(self.purchase_unindexed) + len(indexed)


def compile_programme(document: ProgrammeDocument, version: int) -> CompiledProgramme:
    zone = ZoneInfo(document.timezone)
    exponent = currency_exponent(document.currency)
    ranks = _ranks(document.rules)
    compiled = [
        _compile(rule, order, zone, exponent, ranks[order])
        for order, rule in enumerate(document.rules)
    ]
    purchase = sorted(
        (rule for rule in compiled if rule.rule.trigger is Trigger.PURCHASE),
        key=lambda rule: rule.rank,
    )
    index: dict[tuple[str, str], list[CompiledRule]] = defaultdict(list)
    for rule in purchase:
        for key in rule.keys.keys if rule.keys else ():
            index[key].append(rule)
    events: dict[str, list[CompiledRule]] = defaultdict(list)
    for rule in [*compiled, *_bonus_rules(document, zone, exponent)]:
        if rule.rule.trigger is Trigger.EVENT and rule.rule.event:
            events[rule.rule.event].append(rule)
    return CompiledProgramme(
        version=version,
        document=document,
        exponent=exponent,
        zone=zone,
        base=_base_rule(document, zone, exponent),
        purchase_unindexed=tuple(rule for rule in purchase if rule.keys is None),
        purchase_index={key: tuple(rules) for key, rules in index.items()},
        indexed_fields=frozenset(field for field, _ in index),
        returns=tuple(rule for rule in compiled if rule.rule.trigger is Trigger.RETURN),
        events={name: tuple(sorted(rules, key=_priority)) for name, rules in events.items()},
        delivery_skus=frozenset(document.delivery_skus),
        budgets={
            rule.id: rule.limits.budget_points
            for rule in document.rules
            if rule.limits and rule.limits.budget_points
        },
        reads=frozenset(name for rule in purchase for name in rule.names),
        tier_texts={tier.id: TierTexts.of(tier) for tier in _tiers(document)},
        plan_terms={plan.id: PlanTerms.of(plan, exponent) for plan in document.memberships},
    )


def _tiers(document: ProgrammeDocument) -> list[Tier]:
    return document.tiers.levels if document.tiers else []


def _ranks(rules: list[Rule]) -> list[int]:
    """Each rule's position by priority, highest first, then by document order."""
    by_priority = sorted(range(len(rules)), key=lambda order: (-rules[order].priority, order))
    ranks = [0] * len(rules)
    for rank, order in enumerate(by_priority):
        ranks[order] = rank
    return ranks


def _priority(rule: CompiledRule) -> tuple[int, int]:
    return -rule.rule.priority, rule.order


def _compile(rule: Rule, order: int, zone: ZoneInfo, exponent: int, rank: int = -1) -> CompiledRule:
    key = rule.limits.per_member.key if rule.limits and rule.limits.per_member else None
    when = compile_expression(rule.when, names=SCOPE_NAMES) if rule.when else None
    lines = compile_expression(rule.lines, names=SCOPE_NAMES) if rule.lines else None
    limit_key = compile_expression(key, names=SCOPE_NAMES) if key else None
    expressions = [expression for expression in (when, lines, limit_key) if expression]
    stage = stage_of(rule)
    limits = rule.limits
    return CompiledRule(
        rule=rule,
        order=order,
        when=condition_of(when) if when else None,
        lines=condition_of(lines) if lines else None,
        limit_key=limit_key,
        keys=line_keys(rule.lines),
        zone=zone,
        rank=rank,
        stage=stage,
        names=frozenset(name for expression in expressions for name in expression.names_used),
        tiers=frozenset(rule.tiers),
        window=Window.of(rule.schedule, zone) if rule.schedule else None,
        skip_delivery=stage is Stage.DISCOUNT or not rule.include_delivery,
        exclude_skus=frozenset(rule.exclude_skus),
        exclude_labels=frozenset(rule.exclude_labels),
        min_order_minor=(
            units_to_minor(rule.min_order, exponent) if rule.min_order is not None else None
        ),
        limit=limits.per_member if limits else None,
        budget_points=limits.budget_points if limits else None,
        rate=_rate(rule),
        points_per_minor=_points_per_minor(rule, exponent),
    )


def _rate(rule: Rule) -> str | None:
    effect = rule.effect
    return f"{effect.points} per {effect.per}" if isinstance(effect, PointsPerAmount) else None


def _points_per_minor(rule: Rule, exponent: int) -> tuple[int, int]:
    effect = rule.effect
    if not isinstance(effect, PointsPerAmount):
        return 0, 1
    return rate_per_minor(effect.points, effect.per, exponent)


def _base_rule(document: ProgrammeDocument, zone: ZoneInfo, exponent: int) -> CompiledRule | None:
    earning = document.earning
    if earning.points == 0:
        return None
    rule = Rule(
        id=BASE_RULE,
        name="Base earning rate",
        exclude_skus=earning.exclude_skus,
        exclude_labels=earning.exclude_labels,
        include_delivery=earning.include_delivery,
        priority=-(10**9),
        effect=PointsPerAmount(points=earning.points, per=earning.per, rounding=earning.rounding),
    )
    return _compile(rule, -1, zone, exponent)


def _bonus_rules(document: ProgrammeDocument, zone: ZoneInfo, exponent: int) -> list[CompiledRule]:
    bonuses = document.bonuses
    rules = []
    if bonuses.welcome_points:
        rules.append(
            Rule(
                id=WELCOME_RULE,
                name="Welcome bonus",
                trigger=Trigger.EVENT,
                event="member_enrolled",
                limits=Limits(per_member=PerMemberLimit(times=1, per=Period.EVER)),
                effect=FixedPoints(points=bonuses.welcome_points),
            )
        )
    if bonuses.birthday_points:
        rules.append(
            Rule(
                id=BIRTHDAY_RULE,
                name="Birthday bonus",
                trigger=Trigger.EVENT,
                event="birthday",
                limits=Limits(per_member=PerMemberLimit(times=1, per=Period.YEAR)),
                effect=FixedPoints(points=bonuses.birthday_points),
            )
        )
    return [_compile(rule, -1, zone, exponent) for rule in rules]


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
