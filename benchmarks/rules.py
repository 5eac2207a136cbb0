"""The pure rules engine: µs per quote (``evaluate_purchase``) as programmes grow.

What it does (see docs/BENCHMARKS.md, "Rules engine"):

1. builds one basket of 20 lines (19 goods lines over 8 categories and 5 labels,
   one delivery line) and three programmes with 1, 100 and 1 000 active
   purchase rules, a mix a marketer would write: rules on SKUs, categories and
   labels that the rule index narrows, unindexed ``when`` conditions on the
   basket total, the channel and the time, per-amount points, multipliers,
   per-unit points, product bonuses, stamps and a few discounts. Most rules
   cannot apply to this basket (another SKU, category or label, another tier,
   the weekend, a total it does not reach); a handful do, spread through the
   list, so the bigger programmes also apply more rules;
2. quotes the basket for a Silver member on a Tuesday noon, round-robin over the
   three programmes after a warm-up, timing every call, and prints p50, p90 and
   p99 µs per quote and the p50 ratio to the 1-rule programme;
3. quotes the brief's example programme (programmes/example.yaml) on its 3-line
   basket for a Silver member, and prints µs per evaluation against two
   baselines timed in the same run: building the ``PurchaseFacts`` the caller
   hands over (the fixed cost of a call), and the same answer computed by
   hand-written Python for this one programme (the floor any engine pays for
   the arithmetic). The script checks that the hand-written answer agrees with
   the engine's before timing.

Run: ``.venv/bin/python benchmarks/rules.py`` (``--quick`` for a short run,
``--repeat``, ``--quotes`` and ``--rounds`` change the run).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))  # runs from any directory

from loyalo.adapters.programme_files.loader import load_programme  # noqa: E402
from loyalo.domain.programme.document import ProgrammeDocument  # noqa: E402
from loyalo.domain.programme.document.tiers import Tier  # noqa: E402
from loyalo.domain.programme.engine.compiled import (  # noqa: E402
    CompiledProgramme,
    compile_programme,
)
from loyalo.domain.programme.engine.facts import PurchaseFacts  # noqa: E402
from loyalo.domain.programme.engine.outcome import Outcome  # noqa: E402
from loyalo.domain.programme.engine.purchase import evaluate_purchase  # noqa: E402
from loyalo.domain.programme.engine.views import MemberView  # noqa: E402
from loyalo.domain.purchases.basket import Line  # noqa: E402

TUESDAY_NOON = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)  # 12:00 in Warsaw
SIZES = (1, 100, 1000)
GOAL_P50_US = 1000.0  # the issue's budget for a quote with 1 000 rules

TIERS = {
    "levels": [
        {"id": "bronze", "name": "Bronze", "threshold": 0, "benefits": {"discount_percent": 5}},
        {
            "id": "silver",
            "name": "Silver",
            "threshold": 500,
            "benefits": {"discount_percent": 10, "free_delivery": True},
        },
        {"id": "gold", "name": "Gold", "threshold": 1000, "benefits": {"earn_multiplier": 2}},
    ]
}


# --- the basket and the programmes ----------------------------------------------------------


def basket() -> tuple[Line, ...]:
    """19 goods lines (SKUs P0000-P0018, categories c00-c07, labels l00-l04) and a delivery."""
    lines = [
        Line(
            sku=f"P{index:04d}",
            quantity=1 + index % 3,
            unit_price_minor=250 + index * 397 % 4000,
            discount_minor=50 if index % 7 == 3 else 0,
            category=f"c{index % 8:02d}",
            labels=(f"l{index % 5:02d}",) if index % 2 == 0 else (),
        )
        for index in range(19)
    ]
    lines.append(Line("DELIVERY", 1, 1500))
    return tuple(lines)


# The rules that apply to the basket, by their position in the 1 000-rule list: the 1-rule
# programme has the first, the 100-rule one the first three, the 1 000-rule one all nine.
MATCHING: dict[int, dict[str, Any]] = {
    0: {
        "lines": 'line.category == "c01"',
        "effect": {"type": "points_per_amount", "points": 2, "per": "1.00"},
    },
    37: {"lines": '"l02" in line.labels', "effect": {"type": "multiplier", "factor": 2}},
    73: {"lines": 'line.sku == "P0005"', "effect": {"type": "points_per_unit", "points": 10}},
    150: {
        "when": 'basket.total >= 100 and channel == "store"',
        "effect": {"type": "points", "points": 50},
    },
    300: {"lines": 'line.category == "c03"', "effect": {"type": "discount", "percent": 5}},
    500: {
        "lines": 'line.sku in ["P0010", "P0011"]',
        "effect": {"type": "product_bonus", "points": 25},
    },
    700: {
        "lines": 'line.category == "c05" and line.price >= 5',
        "effect": {"type": "points_per_amount", "points": 3, "per": "1.00"},
    },
    900: {
        "lines": 'line.category == "c06"',
        "effect": {"type": "stamps", "card": "c06", "goal": 9, "reward": "free-c06"},
    },
    999: {
        "when": "time.weekday == 1",
        "lines": 'line.category == "c00"',
        "effect": {"type": "multiplier", "factor": 3},
    },
}

POINT_EFFECTS: tuple[dict[str, Any], ...] = (
    {"type": "points_per_amount", "points": 2, "per": "1.00"},
    {"type": "multiplier", "factor": 2},
    {"type": "points_per_unit", "points": 5},
    {"type": "product_bonus", "points": 30},
    {"type": "points_per_amount", "points": 5, "per": "10.00"},
)


def other_rule(position: int) -> dict[str, Any]:
    """A rule that cannot apply to the basket; the kinds repeat every 20 positions."""
    kind, effect = position % 20, POINT_EFFECTS[position % len(POINT_EFFECTS)]
    if kind < 8:  # 40 %: a SKU the basket does not have
        return {"lines": f'line.sku == "P{100 + position * 7 % 4900:04d}"', "effect": effect}
    if kind < 12:  # 20 %: categories it does not have
        first, second = 10 + position % 30, 10 + (position + 7) % 30
        return {"lines": f'line.category in ["c{first:02d}", "c{second:02d}"]', "effect": effect}
    if kind < 14:  # 10 %: a label it does not have
        return {"lines": f'"l{10 + position % 20:02d}" in line.labels', "effect": effect}
    if kind == 14:  # indexed under the basket's categories, but no line is dear enough
        return {"lines": f'line.category == "c{position % 8:02d}" and line.price >= 1000', **_e(3)}
    if kind == 15:  # the basket's SKUs, for Gold members only
        return {"lines": f'line.sku == "P{position % 19:04d}"', "tiers": ["gold"], **_e(1)}
    if kind == 16:  # unindexed: the basket total, the channel, the hour
        conditions = ("basket.total >= 10000", 'channel == "app"', "time.hour >= 22")
        return {"when": conditions[position // 20 % 3], "effect": effect}
    if kind == 17:  # unindexed: a member attribute
        return {"when": 'member.attributes.city == "Gdansk" and basket.quantity >= 2', **_e(4)}
    if kind == 18:  # weekends only
        return {"schedule": {"days": ["sat", "sun"]}, "effect": effect}
    return {  # a discount on goods the basket does not have
        "lines": f'line.category == "c{10 + position % 30:02d}"',
        "effect": {"type": "discount", "percent": 5 + position % 10},
    }


def _e(index: int) -> dict[str, Any]:
    return {"effect": POINT_EFFECTS[index]}


def document(size: int) -> ProgrammeDocument:
    rules = []
    for position in range(size):
        spec = MATCHING.get(position) or other_rule(position)
        rules.append({"id": f"r{position:04d}", "name": f"Rule {position}", **spec})
    return ProgrammeDocument.model_validate(
        {
            "currency": "PLN",
            "timezone": "Europe/Warsaw",
            "earning": {"points": 1, "per": "1.00"},
            "delivery_skus": ["DELIVERY"],
            "tiers": TIERS,
            "rules": rules,
        }
    )


def facts_for(lines: tuple[Line, ...], tier: Tier | None) -> PurchaseFacts:
    return PurchaseFacts(
        lines=lines,
        at=TUESDAY_NOON,
        member=MemberView(id="m1", tier=tier.id if tier else None),
        tier=tier,
        channel="store",
        store="waw-01",
    )


def silver(programme: ProgrammeDocument) -> Tier:
    assert programme.tiers is not None
    return next(tier for tier in programme.tiers.levels if tier.id == "silver")


def never_used(_rule: str, _bucket: str) -> int:
    return 0


def no_budget(_rule: str) -> int | None:
    return None


def quote(programme: CompiledProgramme, facts: PurchaseFacts) -> Outcome:
    return evaluate_purchase(programme, facts, never_used, no_budget)


# --- section 1: programmes of 1, 100 and 1 000 rules ---------------------------------------


@dataclass
class Case:
    size: int
    programme: CompiledProgramme
    facts: PurchaseFacts
    compile_ms: float
    samples_ns: list[int]


def cases() -> list[Case]:
    lines = basket()
    built = []
    for size in SIZES:
        source = document(size)
        started = time.perf_counter()
        programme = compile_programme(source, version=1)
        compile_ms = (time.perf_counter() - started) * 1000
        built.append(Case(size, programme, facts_for(lines, silver(source)), compile_ms, []))
    return built


def sample(case: Case, quotes: int) -> None:
    """Time ``quotes`` calls one by one (a clock read costs well under 1 % of a quote)."""
    clock, programme, facts, samples = time.perf_counter_ns, case.programme, case.facts, []
    for _ in range(quotes):
        started = clock()
        evaluate_purchase(programme, facts, never_used, no_budget)
        samples.append(clock() - started)
    case.samples_ns.extend(samples)


def percentiles(samples_ns: Sequence[int]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples_ns, n=100, method="inclusive")
    return cuts[49] / 1000, cuts[89] / 1000, cuts[98] / 1000


def describe(outcome: Outcome) -> str:
    applied = {
        item.rule_id
        for group in (outcome.discounts, outcome.awards, outcome.stamps)
        for item in group
    }
    rules = sorted(rule for rule in applied if rule.startswith("r"))
    return (
        f"{len(rules)} rules applied, {outcome.points} points, "
        f"{outcome.discount_minor / 100:.2f} off, {len(outcome.skipped)} skipped"
    )


def run_scaling(args: argparse.Namespace) -> list[tuple[Case, float, float, float]]:
    built = cases()
    for case in built:
        for _ in range(args.warmup):
            quote(case.programme, case.facts)
    for _ in range(args.repeat):  # round-robin, so that noise hits every size alike
        for case in built:
            gc.collect()
            sample(case, args.quotes)
    return [(case, *percentiles(case.samples_ns)) for case in built]


def report_scaling(
    results: list[tuple[Case, float, float, float]], args: argparse.Namespace
) -> None:
    lines = len(results[0][0].facts.lines)
    print(
        f"\n1. Quotes of a {lines}-line basket, Silver member; {args.repeat} x {args.quotes} "
        "timed calls per programme, round-robin"
    )
    print(
        f"{'rules':>6} {'candidates':>10} {'compile ms':>10} {'p50 µs':>9} {'p90 µs':>9} "
        f"{'p99 µs':>9} {'p50 ratio':>9}   what the basket gets"
    )
    first_p50 = results[0][1]
    for case, p50, p90, p99 in results:
        candidates = candidate_count(case.programme, case.facts)
        print(
            f"{case.size:>6} {candidates:>10} {case.compile_ms:>10.1f} {p50:>9.1f} {p90:>9.1f} "
            f"{p99:>9.1f} {p50 / first_p50:>9.2f}   {describe(quote(case.programme, case.facts))}"
        )
    largest = results[-1]
    verdict = "met" if largest[1] <= GOAL_P50_US else "NOT met"
    print(f"goal p50 <= {GOAL_P50_US:.0f} µs with {largest[0].size} rules: {verdict}")


def candidate_count(programme: CompiledProgramme, facts: PurchaseFacts) -> int:
    """Unindexed rules plus the indexed ones the basket's SKUs, categories and labels reach."""
    keys = set()
    for line in facts.lines:
        keys.add(("sku", line.sku))
        if line.category:
            keys.add(("category", line.category))
        keys.update(("label", label) for label in line.labels)
    indexed = {id(rule) for key in keys for rule in programme.purchase_index.get(key, ())}
    return len(programme.purchase_unindexed) + len(indexed)


# --- section 2: the example programme against its baselines --------------------------------

ISSUE_BASKET = (
    Line("123", 1, 1200, labels=("red",)),
    Line("000", 1, 10000, labels=("blue",)),
    Line("0001", 1, 4000, delivery=True),
)


def hand_written(tier: Tier) -> Callable[[PurchaseFacts], tuple[int, dict[int, int]]]:
    """The example programme for this basket, by hand: the tier's discount on goods and free
    delivery, then 1 point per 1.00 of what is left, rounded down (no coffee, no progressive
    discount for a member who spent nothing yet). Returns (points, net per line)."""
    percent = tier.benefits.discount_percent or Decimal(0)
    free_delivery = tier.benefits.free_delivery

    def evaluate(facts: PurchaseFacts) -> tuple[int, dict[int, int]]:
        net = {index: line.total_minor for index, line in enumerate(facts.lines)}
        goods = [index for index, line in enumerate(facts.lines) if not line.delivery]
        goods_total = sum(net[index] for index in goods)
        off = int((Decimal(goods_total) * percent / 100).to_integral_value())
        given = 0
        for index in goods[:-1]:  # proportional shares; the last line takes the rest
            share = off * net[index] // goods_total
            net[index] -= share
            given += share
        net[goods[-1]] -= off - given
        if free_delivery:
            for index, line in enumerate(facts.lines):
                if line.delivery:
                    net[index] = 0
        units = Decimal(sum(net.values())).scaleb(-2)
        return int(units.to_integral_value(rounding=ROUND_FLOOR)), net

    return evaluate


def per_call_us(call: Callable[[], object], rounds: int, seconds: float) -> float:
    """µs per call: the fastest of ``rounds`` runs, each at least ``seconds`` long."""
    best = float("inf")
    for _ in range(rounds):
        repeats = 64
        while True:
            started = time.perf_counter_ns()
            for _ in range(repeats):
                call()
            elapsed = time.perf_counter_ns() - started
            if elapsed >= seconds * 1e9:
                break
            repeats *= 2
        best = min(best, elapsed / repeats / 1000)
    return best


def run_example(args: argparse.Namespace) -> None:
    source = load_programme(ROOT / "programmes" / "example.yaml")
    programme = compile_programme(source, version=1)
    tier = silver(source)
    facts = facts_for(ISSUE_BASKET, tier)
    by_hand = hand_written(tier)
    outcome = quote(programme, facts)
    points, net = by_hand(facts)
    if (points, net) != (outcome.points, outcome.net_lines):
        raise SystemExit(f"hand-written {points, net} disagrees with the engine {outcome}")

    def build_facts() -> object:
        return facts_for(ISSUE_BASKET, tier)

    def evaluate() -> object:
        return evaluate_purchase(programme, facts, never_used, no_budget)

    def floor() -> object:
        return by_hand(facts)

    for call in (build_facts, floor, evaluate):  # warm-up
        per_call_us(call, 1, args.seconds / 4)
    timings: dict[str, list[float]] = {"build facts": [], "hand-written": [], "engine": []}
    for _ in range(args.rounds):  # round-robin, the fastest round counts
        for name, call in zip(timings, (build_facts, floor, evaluate), strict=True):
            timings[name].append(per_call_us(call, 1, args.seconds))
    best = {name: min(values) for name, values in timings.items()}

    print(
        f"\n2. The example programme (programmes/example.yaml), {len(ISSUE_BASKET)}-line basket, "
        f"Silver member: {outcome.points} points, {outcome.discount_minor / 100:.2f} off; "
        f"best of {args.rounds} rounds"
    )
    print(f"{'':34} {'µs/call':>8} {'÷ facts':>8} {'÷ by hand':>9}")
    rows = (
        ("build the PurchaseFacts (baseline)", best["build facts"]),
        ("hand-written, this programme only", best["hand-written"]),
        ("evaluate_purchase", best["engine"]),
    )
    for label, micros in rows:
        print(
            f"{label:34} {micros:>8.2f} {micros / best['build facts']:>8.2f} "
            f"{micros / best['hand-written']:>9.2f}"
        )


# --- the command ----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the scaling section")
    parser.add_argument("--quotes", type=int, default=400, help="timed quotes per round and size")
    parser.add_argument("--warmup", type=int, default=50, help="untimed quotes per size first")
    parser.add_argument("--rounds", type=int, default=9, help="rounds of the example section")
    parser.add_argument("--seconds", type=float, default=0.3, help="least time of one round")
    parser.add_argument("--quick", action="store_true", help="a short run, for a smoke test")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.quotes, args.warmup, args.rounds, args.seconds = 2, 50, 5, 2, 0.05
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"load average before: {load:.2f}"
    )
    report_scaling(run_scaling(args), args)
    run_example(args)
    print(f"\nran in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
