"""Streaks: ISO weeks in a row with a purchase, in the programme's time zone.

A streak is a run of consecutive weeks (each named by its Monday). A week
without a purchase ends it; a late receipt that fills a missing week joins the
runs on either side. A milestone is reached once per run: a run that already
reached it (or grew out of one that did) never reaches it again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Run:
    first: date  # the Monday of its first week
    weeks: int

    @property
    def last(self) -> date:
        return self.first + WEEK * (self.weeks - 1)

    def holds(self, week: date) -> bool:
        return self.first <= week <= self.last


def run_through(weeks: Collection[date], week: date) -> Run:
    """The run of consecutive weeks that ``week`` (one of ``weeks``) belongs to."""
    if week not in weeks:
        raise ValueError(f"{week} has no purchase")
    first = week
    while first - WEEK in weeks:
        first -= WEEK
    last = week
    while last + WEEK in weeks:
        last += WEEK
    return Run(first, (last - first) // WEEK + 1)


def current(weeks: Collection[date], this_week: date) -> Run | None:
    """The streak still alive in ``this_week``: it has a purchase this week or the last.

    Last week's run is not broken yet: this week can still continue it.
    """
    for week in (this_week, this_week - WEEK):
        if week in weeks:
            return run_through(weeks, week)
    return None


def longest(weeks: Iterable[date]) -> Run | None:
    ordered = sorted(set(weeks))
    best: Run | None = None
    start = 0
    for index in range(1, len(ordered) + 1):
        if index == len(ordered) or ordered[index] - ordered[index - 1] != WEEK:
            run = Run(ordered[start], index - start)
            if best is None or run.weeks > best.weeks:
                best = run
            start = index
    return best


def milestones_due(
    run: Run, milestones: Iterable[int], reached: Mapping[int, Collection[date]]
) -> list[tuple[int, date]]:
    """The milestones ``run`` reaches for the first time, with the week each was reached in.

    ``reached`` holds, per milestone, the weeks it was reached in before: one in
    the run means this run (or a run it grew from) already had it.
    """
    due = []
    for weeks in sorted(set(milestones)):
        if weeks > run.weeks:
            continue
        if any(run.holds(week) for week in reached.get(weeks, ())):
            continue
        due.append((weeks, run.first + WEEK * (weeks - 1)))
    return due
