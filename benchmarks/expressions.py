"""Evaluating typical rule conditions: Loyalo's compiled tree against CEL implementations.

What it does (see docs/BENCHMARKS.md, "Expression language"):

1. builds 20 basket lines with their scopes, once as the engine's kind of views
   (frozen slotted dataclasses, Decimal amounts) and once as plain dicts (what a
   CEL library takes);
2. compiles four typical conditions, written in CEL syntax, with every engine
   it can import: Loyalo's compiler (``compile_condition``) on views and on
   dicts, a hand-written Python function (the floor for any evaluator written
   in Python), ``cel`` (PyPI ``common-expression-language``, Rust) with a fresh
   dict per evaluation and with a prebuilt ``cel.Context``, and ``celpy`` (PyPI
   ``cel-python``) with its interpreted and its compiled runner;
3. checks that all engines agree on every line, then times them round-robin
   (several rounds, the fastest round counts) and prints ns per evaluation and
   the ratio to Loyalo's compiler on views, plus the cost of compiling.

The CEL packages are not dependencies of Loyalo. To include them:

    python3 -m venv /tmp/celbench
    /tmp/celbench/bin/pip install common-expression-language cel-python
    /tmp/celbench/bin/python benchmarks/expressions.py

``.venv/bin/python benchmarks/expressions.py`` runs the same script with the
engines it finds (Loyalo and the hand-written floor).
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # runs in any venv

Evaluate = Callable[[Any], object]

CONDITIONS = {
    "coffee ≥ 5": 'line.category == "coffee" && line.price >= 5',
    "label": '"red" in line.labels',
    "weekend & total": "time.weekday in [5, 6] && basket.total > 100",
    "amount & not sku": 'line.amount >= 20.0 && !(line.sku in ["0001", "DELIVERY"])',
}
NAMES = ("basket", "line", "time", "channel")


@dataclass(frozen=True, slots=True)
class LineView:
    sku: str
    category: str | None
    price: Decimal
    quantity: int
    amount: Decimal
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BasketView:
    total: Decimal
    quantity: int


@dataclass(frozen=True, slots=True)
class TimeView:
    weekday: int
    hour: int


def hand_written() -> dict[str, Callable[[Mapping[str, Any]], bool]]:
    """What the four conditions would be as Python functions: no evaluator can beat these."""
    coffee, delivery, weekend = "coffee", ("0001", "DELIVERY"), (5, 6)
    return {
        "coffee ≥ 5": lambda s: s["line"].category == coffee and s["line"].price >= 5,
        "label": lambda s: "red" in s["line"].labels,
        "weekend & total": lambda s: s["time"].weekday in weekend and s["basket"].total > 100,
        "amount & not sku": lambda s: s["line"].amount >= 20 and s["line"].sku not in delivery,
    }


def scopes(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same ``count`` scopes as views and as plain dicts (floats for CEL)."""
    categories = ("coffee", "tea", "cake", None)
    labels = (("red",), ("blue", "red"), (), ("green",))
    skus = ("123", "000", "0001", "DELIVERY", "555")
    views, dicts = [], []
    for index in range(count):
        price = Decimal(3 + index * 7 % 11) + Decimal("0.50")
        quantity = 1 + index % 3
        line = LineView(
            sku=skus[index % len(skus)],
            category=categories[index % len(categories)],
            price=price,
            quantity=quantity,
            amount=price * quantity,
            labels=labels[index % len(labels)],
        )
        basket = BasketView(total=Decimal(60 + index * 13 % 90), quantity=count)
        moment = TimeView(weekday=index % 7, hour=9 + index % 10)
        views.append({"line": line, "basket": basket, "time": moment, "channel": "app"})
        dicts.append(
            {
                "line": {
                    "sku": line.sku,
                    "category": line.category,
                    "price": float(line.price),
                    "quantity": line.quantity,
                    "amount": float(line.amount),
                    "labels": list(line.labels),
                },
                "basket": {"total": float(basket.total), "quantity": basket.quantity},
                "time": {"weekday": moment.weekday, "hour": moment.hour},
                "channel": "app",
            }
        )
    return views, dicts


@dataclass
class Engine:
    name: str
    compile: Callable[[str, str], Evaluate]  # (label, source) -> evaluate(prepared scope)
    prepare: Callable[[dict[str, Any], dict[str, Any]], Any]  # (view scope, dict scope) -> input
    note: str = ""


def engines() -> list[Engine]:
    from loyalo.domain.programme.expressions import compile_condition

    floors = hand_written()
    found = [
        Engine(
            "loyalo (views)",
            lambda _label, source: compile_condition(source, names=NAMES),
            lambda view, _dict: view,
        ),
        Engine(
            "loyalo (dicts)",
            lambda _label, source: compile_condition(source, names=NAMES),
            lambda _view, plain: plain,
        ),
        Engine(
            "python function",
            lambda label, _source: floors[label],
            lambda view, _dict: view,
            "hand-written, the floor",
        ),
    ]
    return found + _rust_cel() + _celpy()


def _rust_cel() -> list[Engine]:
    try:
        import cel  # type: ignore[import-not-found]
    except ImportError:
        print("cel (common-expression-language) is not installed: skipped")
        return []
    version = _version("common-expression-language")

    def compiled(_label: str, source: str) -> Evaluate:
        return cel.compile(source).execute  # type: ignore[no-any-return]

    return [
        Engine(f"cel {version}", compiled, lambda _view, plain: plain, "Rust; dict each call"),
        Engine(
            f"cel {version} ctx",
            compiled,
            lambda _view, plain: cel.Context(variables=plain),
            "Rust; Context prebuilt",
        ),
    ]


def _celpy() -> list[Engine]:
    try:
        import celpy  # type: ignore[import-not-found]
    except ImportError:
        print("celpy (cel-python) is not installed: skipped")
        return []
    version = _version("cel-python")

    def compiler(runner: Any) -> Callable[[str, str], Evaluate]:
        def compiled(_label: str, source: str) -> Evaluate:
            environment = celpy.Environment(runner_class=runner)
            program = environment.program(environment.compile(source))
            return program.evaluate  # type: ignore[no-any-return]

        return compiled

    def activation(_view: dict[str, Any], plain: dict[str, Any]) -> Any:
        return {name: celpy.json_to_cel(value) for name, value in plain.items()}

    return [
        Engine(f"celpy {version}", compiler(celpy.InterpretedRunner), activation, "interpreted"),
        Engine(f"celpy {version} comp", compiler(celpy.CompiledRunner), activation, "compiled"),
    ]


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def time_per_call(evaluate: Evaluate, inputs: list[Any], minimum_seconds: float) -> float:
    """ns per evaluation over ``inputs``, repeated until the run lasts ``minimum_seconds``."""
    repeats = 1
    while True:
        started = time.perf_counter_ns()
        for _ in range(repeats):
            for scope in inputs:
                evaluate(scope)
        elapsed = time.perf_counter_ns() - started
        if elapsed >= minimum_seconds * 1e9:
            return elapsed / (repeats * len(inputs))
        repeats *= 2


def compile_cost(engine: Engine, label: str, source: str) -> float:
    """µs to compile one condition (the best of a few)."""
    best = math.inf
    for _ in range(5):
        started = time.perf_counter_ns()
        for _ in range(20):
            engine.compile(label, source)
        best = min(best, (time.perf_counter_ns() - started) / 20 / 1000)
    return best


Runnable = dict[tuple[str, str], tuple[Evaluate, list[Any]]]
REFERENCE = "loyalo (views)"


def verified(
    available: list[Engine], views: list[Any], dicts: list[Any]
) -> tuple[Runnable, dict[str, str]]:
    """Each engine's compiled conditions and inputs, if it agrees with Loyalo on every line."""
    runnable: Runnable = {}
    failed: dict[str, str] = {}
    for engine in available:
        inputs = [engine.prepare(view, plain) for view, plain in zip(views, dicts, strict=True)]
        for label, source in CONDITIONS.items():
            problem = _disagreement(engine, label, source, inputs, runnable, views)
            if problem:
                failed[engine.name] = problem[:100]
                for each in CONDITIONS:
                    runnable.pop((engine.name, each), None)
                break
    return runnable, failed


def _disagreement(
    engine: Engine, label: str, source: str, inputs: list[Any], runnable: Runnable, views: list[Any]
) -> str | None:
    try:
        evaluate = engine.compile(label, source)
        answers = [bool(evaluate(scope)) for scope in inputs]
    except Exception as error:  # a third-party engine failing is a result to report
        return f"{type(error).__name__}: {error}"
    runnable[engine.name, label] = (evaluate, inputs)
    reference = runnable[REFERENCE, label][0]
    expected = [bool(reference(scope)) for scope in views]
    return None if answers == expected else f"disagrees on {label!r}: {answers} vs {expected}"


def timed(runnable: Runnable, rounds: int, seconds: float) -> dict[tuple[str, str], float]:
    """The best ns per evaluation of each (engine, condition), run round-robin."""
    timings: dict[tuple[str, str], list[float]] = {key: [] for key in runnable}
    for _ in range(rounds):  # round-robin, so that noise hits every engine alike
        for key, (evaluate, inputs) in runnable.items():
            timings[key].append(time_per_call(evaluate, inputs, seconds))
    return {key: min(values) for key, values in timings.items()}


def report(
    available: list[Engine], failed: dict[str, str], best: dict[tuple[str, str], float]
) -> None:
    names = [engine.name for engine in available if engine.name not in failed]
    width = max(len(name) for name in names) + 2
    print("ns per evaluation".ljust(18) + "".join(name.rjust(width) for name in names))
    for label in CONDITIONS:
        print(label.ljust(18) + "".join(f"{best[name, label]:>{width}.0f}" for name in names))
    print(f"\nratio to {REFERENCE}")
    for label in CONDITIONS:
        row = "".join(f"{best[name, label] / best[REFERENCE, label]:>{width}.2f}" for name in names)
        print(label.ljust(18) + row)
    means = [
        statistics.geometric_mean(
            [best[name, label] / best[REFERENCE, label] for label in CONDITIONS]
        )
        for name in names
    ]
    print("geometric mean".ljust(18) + "".join(f"{mean:>{width}.2f}" for mean in means))

    print("\ncompile, µs".ljust(18) + "".join(name.rjust(width) for name in names))
    by_name = {engine.name: engine for engine in available}
    for label, source in CONDITIONS.items():
        row = "".join(f"{compile_cost(by_name[name], label, source):>{width}.1f}" for name in names)
        print(label.ljust(18) + row)
    print()
    for engine in available:
        if engine.note:
            print(f"{engine.name}: {engine.note}")
    for name, reason in failed.items():
        print(f"{name}: FAILED, not timed ({reason})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.05, help="least time of one run")
    parser.add_argument("--lines", type=int, default=20)
    arguments = parser.parse_args()

    views, dicts = scopes(arguments.lines)
    available = engines()
    runnable, failed = verified(available, views, dicts)
    best = timed(runnable, arguments.rounds, arguments.seconds)
    print(
        f"\n{arguments.lines} lines x {len(CONDITIONS)} conditions, best of {arguments.rounds} "
        f"rounds; Python {platform.python_version()}, {platform.machine()}\n"
    )
    report(available, failed, best)


if __name__ == "__main__":
    main()
