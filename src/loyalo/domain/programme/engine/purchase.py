"""Evaluating a basket: discounts first, then points on what is left to pay.

The order is fixed and documented in docs/PROGRAMME.md:

1. Rules are taken by priority (highest first, then document order). A rule
   applies when it runs at this time, the member's tier may use it, its ``when``
   holds, it matches at least one line (when it has a ``lines`` condition), the
   basket as rung up reaches its ``min_order`` and its per-member limit allows
   it. An applying ``exclusive`` rule stops every lower-priority promotion.
2. Discounts: the tier's discount and free delivery, then discount and
   progressive-discount rules in priority order, each on what is left to pay of
   the goods lines it matches.
3. Points, on each line's value after discounts: per-amount rules (the base
   rate among them), then multipliers of the points those lines earned, the
   tier's earning multiplier, per-unit points, product bonuses, fixed points,
   cashback, stamps and rewards. A campaign budget caps what its rule gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
from loyalo.domain.programme.document.rules import Stacking
from loyalo.domain.programme.engine import outcome as o
from loyalo.domain.programme.engine.arithmetic import (
    allocate,
    minor_to_units,
    percent_of,
    to_integer,
    units_to_minor,
)
from loyalo.domain.programme.engine.compiled import CompiledProgramme, CompiledRule
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.limits import (
    BudgetLeft,
    UsageCount,
    bucket_of,
    budget_of,
    within_limit,
)
from loyalo.domain.programme.engine.selection import candidates, matching_lines
from loyalo.domain.programme.engine.views import BasketView, LineView, TimeView

_DISCOUNTS = (Discount, ProgressiveDiscount)


@dataclass(slots=True)
class _Applying:
    rule: CompiledRule
    lines: list[int]
    bucket: str | None


@dataclass(slots=True)
class _Run:
    programme: CompiledProgramme
    facts: PurchaseFacts
    usage: UsageCount
    budget_left: BudgetLeft
    lines: list[LineView] = field(default_factory=list)
    scope: dict[str, Any] = field(default_factory=dict)
    line_scopes: list[dict[str, Any]] = field(default_factory=list)
    net: dict[int, int] = field(default_factory=dict)
    per_amount: dict[int, int] = field(default_factory=dict)  # points lines earned per amount
    discounts: list[o.DiscountLine] = field(default_factory=list)
    awards: list[o.PointAward] = field(default_factory=list)
    cashback: list[o.CashbackCredit] = field(default_factory=list)
    stamps: list[o.StampAward] = field(default_factory=list)
    rewards: list[o.RewardIssue] = field(default_factory=list)
    usage_out: list[o.Usage] = field(default_factory=list)
    skipped: list[o.Skipped] = field(default_factory=list)


def evaluate_purchase(
    programme: CompiledProgramme,
    facts: PurchaseFacts,
    usage: UsageCount,
    budget_left: BudgetLeft,
) -> o.Outcome:
    run = _Run(programme, facts, usage, budget_left)
    local = facts.at.astimezone(programme.zone)
    _build_scope(run, local)
    tier_id = facts.tier.id if facts.tier else None
    applying = _applying(run, candidates(programme, run.lines, local, tier_id), local)
    _tier_discounts(run)
    for item in applying:
        if isinstance(item.rule.rule.effect, _DISCOUNTS):
            _discount(run, item)
    if programme.base is not None:
        base = _Applying(
            programme.base, matching_lines(programme.base, run.lines, run.line_scopes), None
        )
        _points_per_amount(run, base)
    for item in applying:
        if isinstance(item.rule.rule.effect, PointsPerAmount):
            _points_per_amount(run, item)
    for item in applying:
        if isinstance(item.rule.rule.effect, Multiplier):
            _multiplier(run, item)
    _tier_multiplier(run)
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


def _build_scope(run: _Run, local: Any) -> None:
    exponent = run.programme.exponent
    delivery_skus = run.programme.delivery_skus
    for index, line in enumerate(run.facts.lines):
        run.lines.append(
            LineView(
                index=index,
                sku=line.sku,
                quantity=line.quantity,
                price=minor_to_units(line.unit_price_minor, exponent),
                amount=minor_to_units(line.total_minor, exponent),
                category=line.category,
                labels=line.labels,
                delivery=line.delivery or line.sku in delivery_skus,
                name=line.name,
            )
        )
        run.net[index] = line.total_minor
    basket = BasketView(
        total=minor_to_units(sum(run.net.values()), exponent),
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


def _applying(run: _Run, rules: list[CompiledRule], local: Any) -> list[_Applying]:
    chosen: list[_Applying] = []
    till_total = sum(run.net.values())
    for rule in rules:
        spec = rule.rule
        if rule.when is not None and not rule.when(run.scope):
            continue
        goods_only = isinstance(spec.effect, _DISCOUNTS)
        lines = matching_lines(rule, run.lines, run.line_scopes, goods_only=goods_only)
        if not lines and (spec.lines is not None or goods_only):
            continue
        if spec.min_order is not None and till_total < units_to_minor(
            spec.min_order, run.programme.exponent
        ):
            run.skipped.append(o.Skipped(spec.id, f"the basket is under {spec.min_order}"))
            continue
        bucket = bucket_of(rule, local, run.scope)
        if not within_limit(rule, bucket, run.usage):
            run.skipped.append(o.Skipped(spec.id, "the member reached this rule's limit"))
            continue
        chosen.append(_Applying(rule, lines, bucket))
        if spec.stacking is Stacking.EXCLUSIVE:
            break
    return chosen


def _use(run: _Run, item: _Applying) -> None:
    if item.bucket is not None:
        run.usage_out.append(o.Usage(item.rule.id, item.bucket))


def _goods(run: _Run) -> list[int]:
    return [line.index for line in run.lines if not line.delivery]


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
        goods = _goods(run)
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
        spent = minor_to_units(run.facts.spent_before_minor, run.programme.exponent)
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
            amount = units_to_minor(effect.amount or Decimal(0), run.programme.exponent)
        _take_off(run, spec.id, o.DiscountSource.PROMOTION, amount, item.lines, spec.name)
    _use(run, item)


def _award(run: _Run, item: _Applying, points: int, lines: dict[int, int], text: str) -> None:
    rule_id = item.rule.id
    capped = False
    budget = budget_of(item.rule)
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
    amount = minor_to_units(sum(weights.values()), run.programme.exponent)
    points = to_integer(amount * effect.points / effect.per, effect.rounding)
    parts = allocate(points, weights)
    for index, part in parts.items():
        run.per_amount[index] = run.per_amount.get(index, 0) + part
    rate = f"{effect.points} per {effect.per}"
    _award(
        run, item, points, parts, f"{points} points at {rate} on {amount} ({item.rule.rule.name})"
    )


def _multiplier(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    assert isinstance(effect, Multiplier)
    weights = {i: run.per_amount.get(i, 0) for i in item.lines}
    extra = to_integer(sum(weights.values()) * (effect.factor - 1))
    text = f"x{effect.factor} on {sum(weights.values())} points ({item.rule.rule.name})"
    _award(run, item, extra, allocate(extra, weights), text)


def _tier_multiplier(run: _Run) -> None:
    tier = run.facts.tier
    if tier is None or tier.benefits.earn_multiplier == 1:
        return
    factor = tier.benefits.earn_multiplier
    earned = sum(run.per_amount.values())
    extra = to_integer(earned * (factor - 1))
    if extra > 0:
        text = f"x{factor} for {tier.name} members on {earned} points"
        run.awards.append(
            o.PointAward(f"tier:{tier.id}", extra, allocate(extra, run.per_amount), text)
        )


def _other_effect(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    name = item.rule.rule.name
    weights = {i: run.net[i] for i in item.lines}
    if isinstance(effect, PointsPerUnit):
        units = {i: run.facts.lines[i].quantity for i in item.lines}
        points = effect.points * sum(units.values())
        _award(
            run,
            item,
            points,
            allocate(points, units),
            f"{effect.points} points x {sum(units.values())} units ({name})",
        )
    elif isinstance(effect, ProductBonus | FixedPoints):
        _award(run, item, effect.points, allocate(effect.points, weights or dict(run.net)), name)
    elif isinstance(effect, Cashback):
        _cashback(run, item, effect, weights)
    elif isinstance(effect, Stamps):
        count = effect.per_unit * sum(run.facts.lines[i].quantity for i in item.lines)
        run.stamps.append(
            o.StampAward(item.rule.id, effect.card, count, effect.goal, effect.reward, name)
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
    base = minor_to_units(sum(weights.values()), exponent)
    text = f"{effect.percent}% cashback on {base} ({item.rule.rule.name})"
    if effect.credit is CashbackCredit.WALLET:
        run.cashback.append(o.CashbackCredit(item.rule.id, money, text))
        _use(run, item)
        return
    rate = run.programme.document.redeem_points_per_unit
    points = to_integer(minor_to_units(money, exponent) * rate)
    _award(run, item, points, allocate(points, weights), text)
