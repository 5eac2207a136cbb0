"""A programme version compiled once: conditions turned into closures, rules indexed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document import ProgrammeDocument, Rule
from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.effects import FixedPoints, PointsPerAmount
from loyalo.domain.programme.document.rules import Limits, PerMemberLimit, Schedule, Trigger
from loyalo.domain.programme.engine.index import LineKeys, line_keys
from loyalo.domain.programme.engine.views import SCOPE_NAMES
from loyalo.domain.programme.expressions import (
    CompiledExpression,
    compile_condition,
    compile_expression,
)
from loyalo.domain.programme.terms import ProgrammeTerms

Condition = Callable[[Mapping[str, object]], bool]

BASE_RULE = "base-rate"
WELCOME_RULE = "welcome-bonus"
BIRTHDAY_RULE = "birthday-bonus"


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    order: int  # position in the document: the tie-break after priority
    when: Condition | None
    lines: Condition | None
    limit_key: CompiledExpression | None
    keys: LineKeys | None
    zone: ZoneInfo

    @property
    def id(self) -> str:
        return self.rule.id

    def scheduled_at(self, local: datetime) -> bool:
        return _in_schedule(self.rule.schedule, local, self.zone)


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
    compiled = [_compile(rule, order, zone) for order, rule in enumerate(document.rules)]
    purchase = [rule for rule in compiled if rule.rule.trigger is Trigger.PURCHASE]
    index: dict[tuple[str, str], list[CompiledRule]] = defaultdict(list)
    for rule in purchase:
        for key in rule.keys.keys if rule.keys else ():
            index[key].append(rule)
    events: dict[str, list[CompiledRule]] = defaultdict(list)
    for rule in [*compiled, *_bonus_rules(document, zone)]:
        if rule.rule.trigger is Trigger.EVENT and rule.rule.event:
            events[rule.rule.event].append(rule)
    return CompiledProgramme(
        version=version,
        document=document,
        exponent=currency_exponent(document.currency),
        zone=zone,
        base=_base_rule(document, zone),
        purchase_unindexed=tuple(rule for rule in purchase if rule.keys is None),
        purchase_index={key: tuple(rules) for key, rules in index.items()},
        returns=tuple(rule for rule in compiled if rule.rule.trigger is Trigger.RETURN),
        events={name: tuple(rules) for name, rules in events.items()},
        delivery_skus=frozenset(document.delivery_skus),
        budgets={
            rule.id: rule.limits.budget_points
            for rule in document.rules
            if rule.limits and rule.limits.budget_points
        },
    )


def _compile(rule: Rule, order: int, zone: ZoneInfo) -> CompiledRule:
    names = SCOPE_NAMES
    key = rule.limits.per_member.key if rule.limits and rule.limits.per_member else None
    return CompiledRule(
        rule=rule,
        order=order,
        when=compile_condition(rule.when, names=names) if rule.when else None,
        lines=compile_condition(rule.lines, names=names) if rule.lines else None,
        limit_key=compile_expression(key, names=names) if key else None,
        keys=line_keys(rule.lines),
        zone=zone,
    )


def _base_rule(document: ProgrammeDocument, zone: ZoneInfo) -> CompiledRule | None:
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
    return _compile(rule, -1, zone)


def _bonus_rules(document: ProgrammeDocument, zone: ZoneInfo) -> list[CompiledRule]:
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
    return [_compile(rule, -1, zone) for rule in rules]


def _in_schedule(schedule: Schedule | None, local: datetime, zone: ZoneInfo) -> bool:
    if schedule is None:
        return True
    if schedule.starts and local < _aware(schedule.starts, zone):
        return False
    if schedule.ends and local >= _aware(schedule.ends, zone):
        return False
    if schedule.days and local.weekday() not in {day.number for day in schedule.days}:
        return False
    if schedule.from_time is not None and schedule.until_time is not None:
        now = local.time().replace(tzinfo=None)
        start, end = schedule.from_time, schedule.until_time
        inside = start <= now < end if start <= end else (now >= start or now < end)
        if not inside:
            return False
    return True


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
