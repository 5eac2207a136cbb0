"""Fitting the CLV models on the CDNOW sample: ours against the ``lifetimes`` library.

What it does (see docs/BENCHMARKS.md, "Lifetime value models"):

1. reads ``../shared/data/cdnow/CDNOW_sample.txt`` (2,357 customers) and builds the
   calibration summary (weeks 1-39, same-day purchases merged, time in weeks) once,
   with our ``summarise``; both sides fit the same arrays;
2. times, ``--repeat`` times each, interleaved: our BG/NBD and Gamma-Gamma fits
   (``loyalo.domain.analytics.clv``) and lifetimes' ``BetaGeoFitter`` and
   ``GammaGammaFitter`` (no penalizer), and prints the median times and the ratio
   (the goal: ours at least 2x faster);
3. checks that both give the same parameters to three significant digits, and the
   published ones (Fader, Hardie and Lee 2005).

lifetimes is in the ``bench`` dependency group (``make bench`` syncs it). It is old; if it
does not import or fails to fit, the script prints exactly why and times ours alone.

    .venv/bin/python benchmarks/clv.py
    .venv/bin/python benchmarks/clv.py --repeat 21
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from loyalo.domain.analytics.clv import bgnbd, gamma_gamma
from loyalo.domain.analytics.clv.summary import RfmSummary, summarise

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared/data/cdnow/CDNOW_sample.txt"
CALIBRATION_END = date(1997, 9, 30)
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74,
             "gamma": 15.44}  # fmt: skip

Fit = Callable[[RfmSummary], dict[str, float]]


def read_summary(path: Path) -> RfmSummary:
    rows = []
    with path.open() as lines:
        for line in lines:
            _, sample_id, day, _, dollars = line.split()
            when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
            rows.append((sample_id, when, float(dollars)))
    return summarise(rows, CALIBRATION_END)


def fit_ours(summary: RfmSummary) -> dict[str, float]:
    purchases = bgnbd.fit(summary.frequency, summary.recency, summary.age).parameters
    spend = gamma_gamma.fit(summary.frequency, summary.monetary).parameters
    return {"r": purchases.r, "alpha": purchases.alpha, "a": purchases.a, "b": purchases.b,
            "p": spend.p, "q": spend.q, "gamma": spend.gamma}  # fmt: skip


def lifetimes_fitter() -> Fit:
    """Imported here: a failure to import is a finding to print, not a crash."""
    from lifetimes import BetaGeoFitter, GammaGammaFitter  # type: ignore[import-untyped]

    def fit(summary: RfmSummary) -> dict[str, float]:
        purchases = BetaGeoFitter(penalizer_coef=0.0)
        purchases.fit(summary.frequency, summary.recency, summary.age)
        buyers = summary.frequency > 0
        spend = GammaGammaFitter(penalizer_coef=0.0)
        spend.fit(summary.frequency[buyers], summary.monetary[buyers])
        found: dict[str, Any] = {**purchases.params_, **spend.params_}
        found["gamma"] = found["v"]  # lifetimes names the Gamma-Gamma scale v
        return {name: float(found[name]) for name in PUBLISHED}

    return fit


def timed(fit: Fit, summary: RfmSummary) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    params = fit(summary)
    return time.perf_counter() - started, params


def same_to_three_digits(left: dict[str, float], right: dict[str, float]) -> bool:
    return all(f"{left[k]:.3g}" == f"{right[k]:.3g}" for k in PUBLISHED)


def show(name: str, params: dict[str, float]) -> None:
    values = ", ".join(f"{k} {v:.4g}" for k, v in params.items())
    print(f"  {name:<10} {values}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="fits per side (median)")
    args = parser.parse_args()
    if not SAMPLE.exists():
        sys.exit(f"{SAMPLE} is not there (../shared/data beside the project)")
    summary = read_summary(SAMPLE)
    repeats = int(summary.frequency.sum())
    print(f"CDNOW sample: {len(summary):,} customers, {repeats:,} repeat purchases in weeks 1-39; "
          f"Python {platform.python_version()}, {platform.machine()}")  # fmt: skip
    try:
        theirs: Fit | None = lifetimes_fitter()
    except Exception:  # any failure of an old library is reported as it is
        theirs = None
        print("lifetimes did not import, so only ours is timed:\n" + traceback.format_exc())
    ours_times, their_times = [], []
    ours = their = {}
    for _ in range(args.repeat):
        elapsed, ours = timed(fit_ours, summary)
        ours_times.append(elapsed)
        if theirs is not None:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    elapsed, their = timed(theirs, summary)
                their_times.append(elapsed)
            except Exception:
                print("lifetimes failed to fit, so only ours is timed:\n" + traceback.format_exc())
                theirs = None
    report(ours_times, ours, their_times, their)


def report(
    ours_times: list[float],
    ours: dict[str, float],
    their_times: list[float],
    their: dict[str, float],
) -> None:
    mine = statistics.median(ours_times)
    print(f"\nBG/NBD + Gamma-Gamma fits, median of {len(ours_times)}:")
    print(f"  ours       {mine * 1000:8.1f} ms")
    show("ours", ours)
    show("published", PUBLISHED)
    print(f"  ours equal the published estimates to 3 significant digits: "
          f"{same_to_three_digits(ours, PUBLISHED)}")  # fmt: skip
    if not their_times:
        return
    baseline = statistics.median(their_times)
    print(f"  lifetimes  {baseline * 1000:8.1f} ms (median of {len(their_times)})")
    show("lifetimes", their)
    print(f"  equal parameters to 3 significant digits: {same_to_three_digits(ours, their)}")
    verdict = "met" if baseline / mine >= 2 else "NOT met"
    print(f"  lifetimes / ours: {baseline / mine:.1f}x faster (goal >= 2x: {verdict})")


if __name__ == "__main__":
    main()
