"""A straightforward model of ``evaluate_purchase``, to check the engine against.

This is the engine as it was before it was optimised, minus the rule index:
it compiles the document's conditions itself, tries every purchase rule on
every line, gives each line its own view and scope up front, reads every
setting from the programme document, and splits with the plain
largest-remainder loop. It is slow on purpose and shares nothing with the
engine but the expression compiler, the views and the outcome types.
``test_engine_model.py`` asserts that the engine gives the very same
``Outcome``. When the engine's behaviour changes on purpose, change this model
in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from loyalo.domain.money import currency_exponent
from loyalo.domain.programme.document.base import Rounding
from loyalo.domain.programme.document.effects import (
    Cashback,
    CashbackCredit,
    Discount,
    FixedPoints,
    IssueReward,
    Multiplier,
    PointsPerAmount,
    PointsPerUnit,
    ProductBonus,
    ProgressiveDiscount,
    Stamps,
)
from loyalo.domain.programme.document.programme import ProgrammeDocument
from loyalo.domain.programme.document.rules import Rule, Schedule, Stacking, Trigger
from loyalo.domain.programme.engine import outcome as o
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.limits import BudgetLeft, UsageCount, period_key
from loyalo.domain.programme.engine.views import SCOPE_NAMES, BasketView, LineView, TimeView
from loyalo.domain.programme.expressions import (
    CompiledExpression,
    compile_condition,
    compile_expression,
)

_DISCOUNTS = (Discount, ProgressiveDiscount)
_MODES = {Rounding.DOWN: ROUND_FLOOR, Rounding.HALF_UP: ROUND_HALF_UP, Rounding.UP: ROUND_CEILING}


def to_integer(value: Decimal, rounding: Rounding = Rounding.DOWN) -> int:
    return int(value.to_integral_value(rounding=_MODES[rounding]))


def percent_of(amount_minor: int, percent: Decimal) -> int:
    return to_integer(Decimal(amount_minor) * percent / 100, Rounding.HALF_UP)


def allocate(total: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Largest remainder, ties to the smaller key: the split as first written."""
    keys = [key for key, weight in weights.items() if weight > 0]
    whole = sum(weights[key] for key in keys)
    if total == 0 or whole == 0:
        return {}
    shares = {key: total * weights[key] // whole for key in keys}
    left = total - sum(shares.values())
    by_remainder = sorted(keys, key=lambda key: (-(total * weights[key] % whole), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return {key: share for key, share in shares.items() if share}


def units(amount_minor: int, exponent: int) -> Decimal:
    return Decimal(amount_minor).scaleb(-exponent)


def minor(amount: Decimal, exponent: int) -> int:
    return to_integer(amount.scaleb(exponent), Rounding.HALF_UP)


Condition = Callable[[Mapping[str, object]], bool]


@dataclass(frozen=True, slots=True)
class ModelRule:
    rule: Rule
    order: int
    zone: ZoneInfo
    when: Condition | None = None
    lines: Condition | None = None
    limit_key: CompiledExpression | None = None

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class Model:
    """The programme as the model reads it: the document, its conditions compiled one by one."""

    document: ProgrammeDocument
    version: int
    exponent: int
    zone: ZoneInfo
    rules: tuple[ModelRule, ...]
    base: ModelRule | None

    @classmethod
    def of(cls, document: ProgrammeDocument, version: int) -> Model:
        zone = ZoneInfo(document.timezone)
        rules = tuple(
            _model_rule(rule, order, zone)
            for order, rule in enumerate(document.rules)
            if rule.trigger is Trigger.PURCHASE
        )
        earning = document.earning
        base = None
        if earning.points:
            effect = PointsPerAmount(
                points=earning.points, per=earning.per, rounding=earning.rounding
            )
            spec = Rule(
                id="base-rate",
                name="Base earning rate",
                exclude_skus=earning.exclude_skus,
                exclude_labels=earning.exclude_labels,
                include_delivery=earning.include_delivery,
                effect=effect,
            )
            base = ModelRule(spec, -1, zone)
        exponent = currency_exponent(document.currency)
        return cls(document, version, exponent, zone, rules, base)


def _model_rule(rule: Rule, order: int, zone: ZoneInfo) -> ModelRule:
    key = rule.limits.per_member.key if rule.limits and rule.limits.per_member else None
    return ModelRule(
        rule,
        order,
        zone,
        when=compile_condition(rule.when, names=SCOPE_NAMES) if rule.when else None,
        lines=compile_condition(rule.lines, names=SCOPE_NAMES) if rule.lines else None,
        limit_key=compile_expression(key, names=SCOPE_NAMES) if key else None,
    )


@dataclass(slots=True)
class _Applying:
    rule: ModelRule
    lines: list[int]
    bucket: str | None


@dataclass(slots=True)
class _Run:
    programme: Model
    facts: PurchaseFacts
    usage: UsageCount
    budget_left: BudgetLeft
    lines: list[LineView] = field(default_factory=list)
    scope: dict[str, Any] = field(default_factory=dict)
    line_scopes: list[dict[str, Any]] = field(default_factory=list)
    net: dict[int, int] = field(default_factory=dict)
    per_amount: dict[int, int] = field(default_factory=dict)
    discounts: list[o.DiscountLine] = field(default_factory=list)
    awards: list[o.PointAward] = field(default_factory=list)
    cashback: list[o.CashbackCredit] = field(default_factory=list)
    stamps: list[o.StampAward] = field(default_factory=list)
    rewards: list[o.RewardIssue] = field(default_factory=list)
    usage_out: list[o.Usage] = field(default_factory=list)
    skipped: list[o.Skipped] = field(default_factory=list)


def model_purchase(
    programme: Model, facts: PurchaseFacts, usage: UsageCount, budget_left: BudgetLeft
) -> o.Outcome:
    run = _Run(programme, facts, usage, budget_left)
    local = facts.at.astimezone(programme.zone)
    _build_scope(run, local)
    tier_id = facts.tier.id if facts.tier else None
    applying = _applying(run, _every_rule(programme, local, tier_id), local)
    _plan_discounts(run)
    _tier_discounts(run)
    for item in applying:
        if isinstance(item.rule.rule.effect, _DISCOUNTS):
            _discount(run, item)
    if programme.base is not None:
        _points_per_amount(run, _Applying(programme.base, _matching(programme.base, run), None))
    for item in applying:
        if isinstance(item.rule.rule.effect, PointsPerAmount):
            _points_per_amount(run, item)
    for item in applying:
        if isinstance(item.rule.rule.effect, Multiplier):
            _multiplier(run, item)
    _plan_multiplier(run, _tier_multiplier(run))
    for item in applying:
        if not isinstance(item.rule.rule.effect, (*_DISCOUNTS, PointsPerAmount, Multiplier)):
            _other_effect(run, item)
    return o.Outcome(
        version=programme.version,
        tier=tier_id,
        discounts=tuple(run.discounts),
        awards=tuple(run.awards),
        cashback=tuple(run.cashback),
        stamps=tuple(run.stamps),
        rewards=tuple(run.rewards),
        usage=tuple(run.usage_out),
        skipped=tuple(run.skipped),
        net_lines=dict(run.net),
    )


def _every_rule(programme: Model, local: datetime, tier: str | None) -> list[ModelRule]:
    """Every purchase rule of the document that runs now for this tier, by priority: no index."""
    chosen = [
        rule
        for rule in programme.rules
        if not (rule.rule.tiers and tier not in rule.rule.tiers)
        and _in_schedule(rule.rule.schedule, local, rule.zone)
    ]
    chosen.sort(key=lambda rule: (-rule.rule.priority, rule.order))
    return chosen


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


def _build_scope(run: _Run, local: datetime) -> None:
    exponent = run.programme.exponent
    for index, line in enumerate(run.facts.lines):
        run.lines.append(
            LineView(
                index=index,
                sku=line.sku,
                quantity=line.quantity,
                price=units(line.unit_price_minor, exponent),
                amount=units(line.total_minor, exponent),
                category=line.category,
                labels=line.labels,
                delivery=line.delivery or line.sku in run.programme.document.delivery_skus,
                name=line.name,
            )
        )
        run.net[index] = line.total_minor
    basket = BasketView(
        total=units(sum(run.net.values()), exponent),
        quantity=sum(line.quantity for line in run.lines),
        lines=tuple(run.lines),
        skus=frozenset(line.sku for line in run.lines),
        categories=frozenset(line.category for line in run.lines if line.category),
        labels=frozenset(label for line in run.lines for label in line.labels),
    )
    facts = run.facts
    run.scope = {
        "basket": basket,
        "member": facts.member,
        "tier": facts.tier.id if facts.tier else None,
        "channel": facts.channel,
        "store": facts.store,
        "time": TimeView.of(local),
        "event": None,
        "trigger": "purchase",
    }
    run.line_scopes = [{**run.scope, "line": line} for line in run.lines]


def _matching(rule: ModelRule, run: _Run, *, goods_only: bool = False) -> list[int]:
    spec = rule.rule
    matched = []
    for line, scope in zip(run.lines, run.line_scopes, strict=True):
        if line.delivery and (goods_only or not spec.include_delivery):
            continue
        if line.sku in spec.exclude_skus or any(lb in spec.exclude_labels for lb in line.labels):
            continue
        if rule.lines is not None and not rule.lines(scope):
            continue
        matched.append(line.index)
    return matched


def _bucket(rule: ModelRule, local: datetime, scope: Mapping[str, object]) -> str | None:
    limit = rule.rule.limits.per_member if rule.rule.limits else None
    if limit is None:
        return None
    bucket = period_key(limit.per, local)
    if rule.limit_key is not None:
        try:
            value = rule.limit_key(scope)
        except Exception:
            value = None
        bucket = f"{bucket}|{value}"
    return bucket


def _applying(run: _Run, rules: list[ModelRule], local: datetime) -> list[_Applying]:
    chosen: list[_Applying] = []
    till_total = sum(run.net.values())
    for rule in rules:
        spec = rule.rule
        if rule.when is not None and not rule.when(run.scope):
            continue
        goods_only = isinstance(spec.effect, _DISCOUNTS)
        lines = _matching(rule, run, goods_only=goods_only)
        if not lines and (spec.lines is not None or goods_only):
            continue
        if spec.min_order is not None and till_total < minor(
            spec.min_order, run.programme.exponent
        ):
            run.skipped.append(o.Skipped(spec.id, f"the basket is under {spec.min_order}"))
            continue
        bucket = _bucket(rule, local, run.scope)
        limit = spec.limits.per_member if spec.limits else None
        if limit is not None and bucket is not None and run.usage(spec.id, bucket) >= limit.times:
            run.skipped.append(o.Skipped(spec.id, "the member reached this rule's limit"))
            continue
        chosen.append(_Applying(rule, lines, bucket))
        if spec.stacking is Stacking.EXCLUSIVE:
            break
    return chosen


def _use(run: _Run, item: _Applying) -> None:
    if item.bucket is not None:
        run.usage_out.append(o.Usage(item.rule.id, item.bucket))


def _take_off(
    run: _Run, rule_id: str, source: o.DiscountSource, amount: int, lines: list[int], text: str
) -> None:
    weights = {index: run.net[index] for index in lines}
    amount = min(amount, sum(weights.values()))
    if amount <= 0:
        return
    parts = allocate(amount, weights)
    for index, part in parts.items():
        run.net[index] -= part
    run.discounts.append(o.DiscountLine(rule_id, source, amount, parts, text))


def _tier_discounts(run: _Run) -> None:
    tier = run.facts.tier
    if tier is None:
        return
    benefits = tier.benefits
    if benefits.discount_percent is not None:
        goods = [line.index for line in run.lines if not line.delivery]
        amount = percent_of(sum(run.net[i] for i in goods), benefits.discount_percent)
        text = f"{benefits.discount_percent}% off for {tier.name} members"
        _take_off(run, f"tier:{tier.id}", o.DiscountSource.TIER, amount, goods, text)
    if benefits.free_delivery:
        delivery = [line.index for line in run.lines if line.delivery]
        amount = sum(run.net[i] for i in delivery)
        text = f"free delivery for {tier.name} members"
        _take_off(run, f"tier:{tier.id}", o.DiscountSource.TIER, amount, delivery, text)


def _discount(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    spec = item.rule.rule
    matched_net = sum(run.net[i] for i in item.lines)
    if isinstance(effect, ProgressiveDiscount):
        spent = units(run.facts.spent_before_minor, run.programme.exponent)
        bands = [band for band in effect.bands if band.from_amount <= spent]
        if not bands:
            run.skipped.append(
                o.Skipped(spec.id, f"spent {spent}, under {effect.bands[0].from_amount}")
            )
            return
        percent = bands[-1].percent
        amount = percent_of(matched_net, percent)
        text = f"{percent}% progressive discount: {spent} spent so far ({spec.name})"
        _take_off(run, spec.id, o.DiscountSource.PROGRESSIVE, amount, item.lines, text)
    elif isinstance(effect, Discount):
        if effect.percent is not None:
            amount = percent_of(matched_net, effect.percent)
        else:
            amount = minor(effect.amount or Decimal(0), run.programme.exponent)
        _take_off(run, spec.id, o.DiscountSource.PROMOTION, amount, item.lines, spec.name)
    _use(run, item)


def _award(run: _Run, item: _Applying, points: int, lines: dict[int, int], text: str) -> None:
    rule_id = item.rule.id
    capped = False
    budget = item.rule.rule.limits.budget_points if item.rule.rule.limits else None
    if budget is not None and points > 0:
        left = run.budget_left(rule_id)
        if left is not None and points > left:
            if left <= 0:
                run.skipped.append(o.Skipped(rule_id, "the campaign budget is spent"))
                return
            points, capped = left, True
            lines = allocate(points, lines) if lines else {}
            text += " (capped by the campaign budget)"
    if points <= 0:
        return
    run.awards.append(o.PointAward(rule_id, points, lines, text, capped))
    _use(run, item)


def _points_per_amount(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    assert isinstance(effect, PointsPerAmount)
    weights = {i: run.net[i] for i in item.lines}
    amount = units(sum(weights.values()), run.programme.exponent)
    points = to_integer(amount * effect.points / effect.per, effect.rounding)
    parts = allocate(points, weights)
    for index, part in parts.items():
        run.per_amount[index] = run.per_amount.get(index, 0) + part
    rate = f"{effect.points} per {effect.per}"
    text = f"{points} points at {rate} on {amount} ({item.rule.rule.name})"
    _award(run, item, points, parts, text)


def _multiplier(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    assert isinstance(effect, Multiplier)
    weights = {i: run.per_amount.get(i, 0) for i in item.lines}
    extra = to_integer(sum(weights.values()) * (effect.factor - 1))
    text = f"x{effect.factor} on {sum(weights.values())} points ({item.rule.rule.name})"
    _award(run, item, extra, allocate(extra, weights), text)


def _tier_multiplier(run: _Run) -> int:
    tier = run.facts.tier
    if tier is None or tier.benefits.earn_multiplier == 1:
        return 0
    factor = tier.benefits.earn_multiplier
    earned = sum(run.per_amount.values())
    extra = to_integer(earned * (factor - 1))
    if extra > 0:
        text = f"x{factor} for {tier.name} members on {earned} points"
        run.awards.append(
            o.PointAward(f"tier:{tier.id}", extra, allocate(extra, run.per_amount), text)
        )
        return extra
    return 0


def _plan_discounts(run: _Run) -> None:
    """Member prices, then the plan's percentage on the other goods it covers, then delivery."""
    plan = run.facts.plan
    if plan is None:
        return
    benefits, rule_id, source = plan.benefits, f"membership:{plan.id}", o.DiscountSource.MEMBERSHIP
    cuts = {}
    for line in run.lines:
        price = benefits.member_prices.get(line.sku)
        if line.delivery or price is None:
            continue
        cut = run.net[line.index] - line.quantity * minor(price, run.programme.exponent)
        if cut > 0:
            cuts[line.index] = cut
    if cuts:
        for index, cut in cuts.items():
            run.net[index] -= cut
        text = f"member prices for {plan.name} members"
        run.discounts.append(o.DiscountLine(rule_id, source, sum(cuts.values()), cuts, text))
    if benefits.discount_percent is not None:
        limited = bool(benefits.discount_labels or benefits.discount_categories)
        covered = [
            line.index
            for line in run.lines
            if not line.delivery
            and line.sku not in benefits.member_prices
            and (
                not limited
                or line.category in benefits.discount_categories
                or any(label in benefits.discount_labels for label in line.labels)
            )
        ]
        amount = percent_of(sum(run.net[i] for i in covered), benefits.discount_percent)
        text = f"{benefits.discount_percent}% off for {plan.name} members"
        _take_off(run, rule_id, source, amount, covered, text)
    if benefits.free_delivery:
        delivery = [line.index for line in run.lines if line.delivery]
        amount = sum(run.net[i] for i in delivery)
        text = f"free delivery for {plan.name} members"
        _take_off(run, rule_id, source, amount, delivery, text)


def _plan_multiplier(run: _Run, tier_extra: int) -> None:
    """The plan's factor on the per-amount points as the tier's multiplier left them."""
    plan = run.facts.plan
    if plan is None or plan.benefits.earn_multiplier == 1:
        return
    factor = plan.benefits.earn_multiplier
    earned = sum(run.per_amount.values()) + tier_extra
    extra = to_integer(earned * (factor - 1))
    if extra > 0:
        text = f"x{factor} for {plan.name} members on {earned} points"
        run.awards.append(
            o.PointAward(f"membership:{plan.id}", extra, allocate(extra, run.per_amount), text)
        )


def _other_effect(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    name = item.rule.rule.name
    weights = {i: run.net[i] for i in item.lines}
    if isinstance(effect, PointsPerUnit):
        quantities = {i: run.facts.lines[i].quantity for i in item.lines}
        points = effect.points * sum(quantities.values())
        text = f"{effect.points} points x {sum(quantities.values())} units ({name})"
        _award(run, item, points, allocate(points, quantities), text)
    elif isinstance(effect, ProductBonus | FixedPoints):
        _award(run, item, effect.points, allocate(effect.points, weights or dict(run.net)), name)
    elif isinstance(effect, Cashback):
        _cashback(run, item, effect, weights)
    elif isinstance(effect, Stamps):
        per_line = {i: effect.per_unit * run.facts.lines[i].quantity for i in item.lines}
        count = sum(per_line.values())
        run.stamps.append(
            o.StampAward(
                item.rule.id, effect.card, count, effect.goal, effect.reward, name, per_line
            )
        )
        _use(run, item)
    elif isinstance(effect, IssueReward):
        run.rewards.append(o.RewardIssue(item.rule.id, effect.reward, name))
        _use(run, item)


def _cashback(run: _Run, item: _Applying, effect: Cashback, weights: dict[int, int]) -> None:
    money = to_integer(Decimal(sum(weights.values())) * effect.percent / 100)
    if money <= 0:
        return
    exponent = run.programme.exponent
    base = units(sum(weights.values()), exponent)
    text = f"{effect.percent}% cashback on {base} ({item.rule.rule.name})"
    if effect.credit is CashbackCredit.WALLET:
        run.cashback.append(o.CashbackCredit(item.rule.id, money, text, allocate(money, weights)))
        _use(run, item)
        return
    rate = run.programme.document.redeem_points_per_unit
    points = to_integer(units(money, exponent) * rate)
    _award(run, item, points, allocate(points, weights), text)
