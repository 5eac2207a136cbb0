"""Evaluating a basket: discounts first, then points on what is left to pay.

The order is fixed and documented in docs/PROGRAMME.md:

1. Rules are taken by priority (highest first, then document order). A rule
   applies when it runs at this time, the member's tier may use it, its ``when``
   holds, it matches at least one line (when it has a ``lines`` condition), the
   basket as rung up reaches its ``min_order`` and its per-member limit allows
   it. An applying ``exclusive`` rule stops every lower-priority promotion.
2. Discounts: an active paid membership's member prices, discount and free
   delivery (``membership.py``), the tier's discount and free delivery, then discount and
   progressive-discount rules in priority order, each on what is left to pay of
   the goods lines it matches, then the coupon codes sent at the till, in the
   order of ``domain/coupons/till.py``.
3. Points, on each line's value after discounts: per-amount rules (the base
   rate among them), then multipliers of the points those lines earned, the
   tier's earning multiplier, the membership's (on the points after the
   tier's), per-unit points, product bonuses, fixed points, cashback, stamps
   and rewards. A campaign budget caps what its rule gives.

A quote is on the till's critical path and a backtest replays millions of
them, so the work per purchase is kept to what the basket needs: what can be
known from the programme alone is compiled once (``compiled.py``), a rule is
tried only on the lines its index keys reach (``selection.py``), the views
and scopes conditions read are built on first use (``views.PurchaseScope``),
and money and points are split in integers. ``benchmarks/rules.py`` measures
it; ``tests/rules/test_engine_model.py`` checks every outcome against a
plain model of these rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from loyalo.domain.coupons.till import COUPON_RULE_PREFIX, TillBasket, apply_coupons
from loyalo.domain.coupons.validation import CouponVerdict
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
    SpendBand,
    Stamps,
)
from loyalo.domain.programme.document.rules import Stacking
from loyalo.domain.programme.engine import outcome as o
from loyalo.domain.programme.engine.arithmetic import (
    allocate,
    minor_to_units,
    percent_of,
    round_ratio,
    to_integer,
    units_to_minor,
)
from loyalo.domain.programme.engine.compiled import CompiledProgramme, CompiledRule, Stage
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.limits import (
    BudgetLeft,
    UsageCount,
    bucket_of,
    within_limit,
)
from loyalo.domain.programme.engine.membership import discounted_goods, member_price_cuts
from loyalo.domain.programme.engine.selection import (
    BasketLines,
    Candidates,
    basket_lines,
    candidates,
    matching_lines,
)
from loyalo.domain.programme.engine.views import PurchaseScope

_NO_SCOPE: Mapping[str, object] = MappingProxyType({})

# Python 3.11 takes about 100 ns to look an enum member up, 10 ns to read a module global:
# the paths run for every rule of every purchase compare with these instead.
_DISCOUNT = Stage.DISCOUNT
_PER_AMOUNT = Stage.PER_AMOUNT
_MULTIPLIER = Stage.MULTIPLIER
_OTHER = Stage.OTHER
_EXCLUSIVE = Stacking.EXCLUSIVE
_TIER = o.DiscountSource.TIER
_PROMOTION = o.DiscountSource.PROMOTION
_PROGRESSIVE = o.DiscountSource.PROGRESSIVE
_MEMBERSHIP = o.DiscountSource.MEMBERSHIP
_COUPON = o.DiscountSource.COUPON


@dataclass(slots=True)
class _Applying:
    rule: CompiledRule
    lines: Sequence[int]  # read only: it may be shared with the basket
    bucket: str | None


@dataclass(slots=True)
class _Run:
    programme: CompiledProgramme
    facts: PurchaseFacts
    usage: UsageCount
    budget_left: BudgetLeft
    local: datetime
    tier_id: str | None
    basket: BasketLines
    net: dict[int, int]  # line index -> what is left to pay, in minor units
    per_amount: dict[int, int] = field(default_factory=dict)  # points lines earned per amount
    discounts: list[o.DiscountLine] = field(default_factory=list)
    awards: list[o.PointAward] = field(default_factory=list)
    cashback: list[o.CashbackCredit] = field(default_factory=list)
    stamps: list[o.StampAward] = field(default_factory=list)
    rewards: list[o.RewardIssue] = field(default_factory=list)
    usage_out: list[o.Usage] = field(default_factory=list)
    skipped: list[o.Skipped] = field(default_factory=list)
    made_scope: PurchaseScope | None = None  # made when a condition or limit key needs it

    def scope(self) -> PurchaseScope:
        if self.made_scope is None:
            facts = self.facts
            fixed: dict[str, object] = {
                "member": facts.member,
                "tier": self.tier_id,
                "channel": facts.channel,
                "store": facts.store,
                "event": None,
                "trigger": "purchase",
            }
            self.made_scope = PurchaseScope(
                facts.lines,
                self.basket.delivery,
                fixed,
                exponent=self.programme.exponent,
                local=self.local,
                reads=self.programme.reads,
            )
        return self.made_scope

    def line_scope(self, index: int) -> Mapping[str, object]:
        return (self.made_scope or self.scope()).for_line(index)


def evaluate_purchase(
    programme: CompiledProgramme,
    facts: PurchaseFacts,
    usage: UsageCount,
    budget_left: BudgetLeft,
) -> o.Outcome:
    local = facts.at.astimezone(programme.zone)
    tier_id = facts.tier.id if facts.tier else None
    basket = basket_lines(facts.lines, programme.delivery_skus)
    net = dict(enumerate(basket.totals))
    run = _Run(programme, facts, usage, budget_left, local, tier_id, basket, net)
    applying = _applying(run, candidates(programme, basket, local, tier_id))
    if facts.plan is not None:
        _plan_discounts(run)
    _tier_discounts(run)
    for item in applying:
        if item.rule.stage is _DISCOUNT:
            _discount(run, item)
    coupons = _coupons(run) if facts.coupons else ()
    if programme.base is not None:
        lines = matching_lines(programme.base, basket, None, run.line_scope)
        _points_per_amount(run, _Applying(programme.base, lines, None))
    for item in applying:
        if item.rule.stage is _PER_AMOUNT:
            _points_per_amount(run, item)
    for item in applying:
        if item.rule.stage is _MULTIPLIER:
            _multiplier(run, item)
    tier_extra = _tier_multiplier(run)
    if facts.plan is not None:
        _plan_multiplier(run, tier_extra)
    for item in applying:
        if item.rule.stage is _OTHER:
            _other_effect(run, item)
    return o.Outcome(
        programme.version,
        tier_id,
        tuple(run.discounts),
        tuple(run.awards),
        tuple(run.cashback),
        tuple(run.stamps),
        tuple(run.rewards),
        tuple(run.usage_out),
        tuple(run.skipped),
        net,
        coupons,
    )


def _applying(run: _Run, found: Candidates) -> list[_Applying]:
    chosen: list[_Applying] = []
    till_total = sum(run.basket.totals)
    for rule in found.rules:
        if rule.when is not None and not rule.when(run.scope().for_purchase()):
            continue
        lines = matching_lines(rule, run.basket, found.lines_of(rule), run.line_scope)
        if not lines and (rule.lines is not None or rule.stage is _DISCOUNT):
            continue
        if rule.min_order_minor is not None and till_total < rule.min_order_minor:
            text = f"the basket is under {rule.rule.min_order}"
            run.skipped.append(o.Skipped(rule.id, text))
            continue
        bucket = None
        if rule.limit is not None:
            # only a limit key reads the scope: do not build it for a limit without one
            scope = _NO_SCOPE if rule.limit_key is None else run.scope().for_purchase()
            bucket = bucket_of(rule, run.local, scope)
            if not within_limit(rule, bucket, run.usage):
                run.skipped.append(o.Skipped(rule.id, "the member reached this rule's limit"))
                continue
        chosen.append(_Applying(rule, lines, bucket))
        if rule.rule.stacking is _EXCLUSIVE:
            break
    return chosen


def _use(run: _Run, item: _Applying) -> None:
    if item.bucket is not None:
        run.usage_out.append(o.Usage(item.rule.id, item.bucket))


def _weights(values: Mapping[int, int], lines: Sequence[int]) -> dict[int, int]:
    """The positive ``values`` of ``lines``, in the order of ``lines``: what a split weighs.

    A line worth nothing (fully discounted, or without points) gets no share of a
    split anyway; leaving it out spares ``allocate`` from filtering it.
    """
    weights = {}
    for index in lines:
        value = values.get(index, 0)
        if value > 0:
            weights[index] = value
    return weights


def _take_off(
    run: _Run,
    rule_id: str,
    source: o.DiscountSource,
    amount: int,
    weights: dict[int, int],  # line index -> what is left to pay of it
    text: str,
) -> None:
    amount = min(amount, sum(weights.values()))
    if amount <= 0:
        return
    parts = allocate(amount, weights)
    net = run.net
    for index, part in parts.items():
        net[index] -= part
    run.discounts.append(o.DiscountLine(rule_id, source, amount, parts, text))


def _tier_discounts(run: _Run) -> None:
    tier = run.facts.tier
    if tier is None:
        return
    benefits = tier.benefits
    texts = run.programme.texts_of(tier)
    if benefits.discount_percent is not None:
        goods = _weights(run.net, run.basket.goods)
        amount = percent_of(sum(goods.values()), benefits.discount_percent)
        _take_off(run, texts.rule_id, _TIER, amount, goods, texts.discount)
    if benefits.free_delivery and run.basket.delivery_lines:
        delivery = _weights(run.net, run.basket.delivery_lines)
        amount = sum(delivery.values())
        text = texts.free_delivery
        _take_off(run, texts.rule_id, _TIER, amount, delivery, text)


def _discount(run: _Run, item: _Applying) -> None:
    spec = item.rule.rule
    effect = spec.effect
    if isinstance(effect, ProgressiveDiscount):
        spent = minor_to_units(run.facts.spent_before_minor, run.programme.exponent)
        band = _band(effect, spent)
        if band is None:
            text = f"spent {spent}, under {effect.bands[0].from_amount}"
            run.skipped.append(o.Skipped(spec.id, text))
            return
        weights = _weights(run.net, item.lines)
        amount = percent_of(sum(weights.values()), band.percent)
        text = f"{band.percent}% progressive discount: {spent} spent so far ({spec.name})"
        _take_off(run, spec.id, _PROGRESSIVE, amount, weights, text)
    elif isinstance(effect, Discount):
        weights = _weights(run.net, item.lines)
        if effect.percent is not None:
            amount = percent_of(sum(weights.values()), effect.percent)
        else:
            amount = units_to_minor(effect.amount or Decimal(0), run.programme.exponent)
        _take_off(run, spec.id, _PROMOTION, amount, weights, spec.name)
    _use(run, item)


def _coupons(run: _Run) -> tuple[CouponVerdict, ...]:
    """The codes, after every rule's discount and before points: points are on what is left."""
    basket = run.basket
    till = TillBasket(basket.lines, basket.goods, basket.delivery_lines, run.programme.exponent)
    # promotions are the rules' discounts: a tier's or a paid plan's benefit is not one
    promoted = any(discount.source in (_PROMOTION, _PROGRESSIVE) for discount in run.discounts)
    policy = run.programme.document.coupons
    verdicts = apply_coupons(
        run.facts.coupons, till, run.net, promoted=promoted, with_promotions=policy.with_promotions
    )
    for verdict in verdicts:
        if verdict.applies:
            rule_id = COUPON_RULE_PREFIX + verdict.code
            line = o.DiscountLine(
                rule_id, _COUPON, verdict.amount_minor, verdict.lines, verdict.detail
            )
            run.discounts.append(line)
    return tuple(verdicts)


def _band(effect: ProgressiveDiscount, spent: Decimal) -> SpendBand | None:
    """The last band the member's spending has reached."""
    reached = None
    for band in effect.bands:
        if band.from_amount <= spent:
            reached = band
    return reached


def _award(run: _Run, item: _Applying, points: int, lines: dict[int, int], text: str) -> None:
    rule_id = item.rule.id
    capped = False
    if item.rule.budget_points is not None and points > 0:
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
    weights = _weights(run.net, item.lines)
    spent_minor = sum(weights.values())
    numerator, denominator = item.rule.points_per_minor
    points = round_ratio(spent_minor * numerator, denominator, effect.rounding)
    parts = allocate(points, weights)
    amount = minor_to_units(spent_minor, run.programme.exponent)
    per_amount = run.per_amount
    for index, part in parts.items():
        per_amount[index] = per_amount.get(index, 0) + part
    text = f"{points} points at {item.rule.rate} on {amount} ({item.rule.rule.name})"
    _award(run, item, points, parts, text)


def _multiplier(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    assert isinstance(effect, Multiplier)
    weights = _weights(run.per_amount, item.lines)
    earned = sum(weights.values())
    extra = to_integer(earned * (effect.factor - 1))
    text = f"x{effect.factor} on {earned} points ({item.rule.rule.name})"
    _award(run, item, extra, allocate(extra, weights), text)


def _tier_multiplier(run: _Run) -> int:
    """The points the tier's multiplier added."""
    tier = run.facts.tier
    if tier is None or tier.benefits.earn_multiplier == 1:
        return 0
    factor = tier.benefits.earn_multiplier
    earned = sum(run.per_amount.values())
    extra = to_integer(earned * (factor - 1))
    if extra <= 0:
        return 0
    text = f"x{factor} for {tier.name} members on {earned} points"
    run.awards.append(o.PointAward(f"tier:{tier.id}", extra, allocate(extra, run.per_amount), text))
    return extra


def _plan_discounts(run: _Run) -> None:
    plan = run.facts.plan
    assert plan is not None
    terms = run.programme.terms_of_plan(plan)
    lines, net, basket = run.facts.lines, run.net, run.basket
    cuts = member_price_cuts(terms, lines, net, basket.goods)
    if cuts:
        for index, cut in cuts.items():
            net[index] -= cut
        amount = sum(cuts.values())
        run.discounts.append(
            o.DiscountLine(terms.rule_id, _MEMBERSHIP, amount, cuts, terms.member_prices)
        )
    benefits = plan.benefits
    if benefits.discount_percent is not None:
        goods = _weights(net, discounted_goods(terms, lines, basket.goods))
        amount = percent_of(sum(goods.values()), benefits.discount_percent)
        _take_off(run, terms.rule_id, _MEMBERSHIP, amount, goods, terms.discount)
    if benefits.free_delivery and basket.delivery_lines:
        delivery = _weights(net, basket.delivery_lines)
        amount = sum(delivery.values())
        _take_off(run, terms.rule_id, _MEMBERSHIP, amount, delivery, terms.free_delivery)


def _plan_multiplier(run: _Run, tier_extra: int) -> None:
    """The plan multiplies the per-amount points as the tier's multiplier left them."""
    plan = run.facts.plan
    assert plan is not None
    factor = plan.benefits.earn_multiplier
    if factor == 1:
        return
    earned = sum(run.per_amount.values()) + tier_extra
    extra = to_integer(earned * (factor - 1))
    if extra > 0:
        terms = run.programme.terms_of_plan(plan)
        text = f"{terms.multiplier} on {earned} points"
        run.awards.append(o.PointAward(terms.rule_id, extra, allocate(extra, run.per_amount), text))


def _other_effect(run: _Run, item: _Applying) -> None:
    effect = item.rule.rule.effect
    name = item.rule.rule.name
    weights = _weights(run.net, item.lines)
    if isinstance(effect, PointsPerUnit):
        units = {i: run.facts.lines[i].quantity for i in item.lines}
        count = sum(units.values())
        points = effect.points * count
        text = f"{effect.points} points x {count} units ({name})"
        _award(run, item, points, allocate(points, units), text)
    elif isinstance(effect, ProductBonus | FixedPoints):
        spread = weights if item.lines else run.net  # no lines: over the whole basket
        _award(run, item, effect.points, allocate(effect.points, spread), name)
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
    base = minor_to_units(sum(weights.values()), exponent)
    text = f"{effect.percent}% cashback on {base} ({item.rule.rule.name})"
    if effect.credit is CashbackCredit.WALLET:
        run.cashback.append(o.CashbackCredit(item.rule.id, money, text, allocate(money, weights)))
        _use(run, item)
        return
    rate = run.programme.document.redeem_points_per_unit
    points = to_integer(minor_to_units(money, exponent) * rate)
    _award(run, item, points, allocate(points, weights), text)
