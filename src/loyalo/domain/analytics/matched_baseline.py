"""Revenue attributable to the programme, from members' own histories: a matched baseline.

Method ``matched-baseline``, a staggered difference-in-differences with not-yet-joined
controls matched in strata of pre-joining behaviour:

* *joiners* are the members in scope who joined in the period, grouped by the week they
  joined (Monday 00:00 UTC); a week counts once the ``window_days`` after it (and after its
  own seven days) have passed by the time of the export;
* for a joining week *w* the *before* window is the ``window_days`` before *w* and the *after*
  window the ``window_days`` from *w* + 7 days: the joining week itself, which holds the
  enrolment (and, at a till, the purchase it came with), is in neither;
* the *controls* of *w* are the members who had not joined by the end of its after window:
  the same calendar days are, for them, all before joining;
* both sides are put in strata of the before window: orders (1, 2, 3-4, 5 or more) and spend
  (the quartile of the joiners' spend it falls in). A member with no purchase in the before
  window is in no stratum: the baseline needs history recorded before joining;
* in each stratum *s* of each week the joiners' change in spend (after - before) is compared
  with what the controls' mean change predicts for them::

      lift_s = sum over joiners (after - before)
               - joiners_s * (sum over controls (after - before)) / controls_s

* the attributable revenue is the sum of ``lift_s`` over the strata with at least one control.
  The predicted change is rounded half up to the minor unit once, at the end; the lift is the
  joiners' change less it.

This module is the arithmetic; the strata come from the analytics engine
(``adapters/analytics/queries/attribution.py``). docs/METRICS.md states the assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from loyalo.domain.analytics.attribution import Attribution
from loyalo.domain.money import Money

MATCHED_BASELINE = "matched-baseline"


@dataclass(frozen=True, slots=True)
class Stratum:
    """Joiners of one week and the controls of that week in the same bands, with what each
    side paid in the before and the after window (integer minor units)."""

    join_week: date  # the Monday
    frequency_band: int  # orders before: 1, 2, 3 (3-4), 4 (5 or more)
    spend_band: int  # 1-4: the quartile of the joiners' spend before that it falls in
    joiners: int
    joiners_before_minor: int
    joiners_after_minor: int
    controls: int
    controls_before_minor: int
    controls_after_minor: int
    controls_first_seen: int  # controls for whom this is their first stratum: sums to distinct

    @property
    def matched(self) -> bool:
        return self.controls > 0

    @property
    def joiners_change_minor(self) -> int:
        return self.joiners_after_minor - self.joiners_before_minor

    def predicted_change(self) -> Fraction:
        """The joiners' change had they behaved as the controls did: their mean change, times
        the joiners."""
        change = self.controls_after_minor - self.controls_before_minor
        return Fraction(self.joiners * change, self.controls)


@dataclass(frozen=True, slots=True)
class JoinerCounts:
    joiners: int  # members in scope who joined in the period
    too_recent: int  # whose after window had not ended when the store was exported


@dataclass(frozen=True, slots=True)
class MatchedBaseline:
    window_days: int
    observed_until: datetime | None  # the export the strata were read from; None: never
    currency: str
    counts: JoinerCounts
    strata: tuple[Stratum, ...]

    def __post_init__(self) -> None:
        if self.joiners_without_history < 0:
            raise ValueError("the strata hold more joiners than joined in the period")

    @property
    def joiners_with_history(self) -> int:
        """Joiners with a complete window and a purchase in the window before their week."""
        return sum(s.joiners for s in self.strata)

    @property
    def joiners_without_history(self) -> int:
        c = self.counts
        return c.joiners - c.too_recent - self.joiners_with_history

    @property
    def joiners_matched(self) -> int:
        return sum(s.joiners for s in self.strata if s.matched)

    @property
    def joiners_unmatched(self) -> int:
        """With history, but no control in their stratum."""
        return self.joiners_with_history - self.joiners_matched

    @property
    def controls(self) -> int:
        """Distinct members who served as a control for a matched stratum."""
        return sum(s.controls_first_seen for s in self.strata if s.matched)

    @property
    def joiners_change(self) -> Money | None:
        """What the matched joiners paid after, less before."""
        if self.joiners_matched == 0:
            return None
        change = sum(s.joiners_change_minor for s in self.strata if s.matched)
        return Money(change, self.currency)

    @property
    def predicted_change(self) -> Money | None:
        """Their change had they behaved as their controls did (rounded half up)."""
        if self.joiners_matched == 0:
            return None
        exact = sum((s.predicted_change() for s in self.strata if s.matched), Fraction(0))
        return Money(round_half_up(exact), self.currency)

    @property
    def lift(self) -> Money | None:
        change, predicted = self.joiners_change, self.predicted_change
        if change is None or predicted is None:
            return None
        return change - predicted

    @property
    def reason(self) -> str:
        return self._why_not() or self._what()

    def attribution(self) -> Attribution:
        return Attribution(MATCHED_BASELINE, self.lift, self.reason)

    def _what(self) -> str:
        parts = [
            f"{self.joiners_matched} of the {_members(self.counts.joiners)} who joined in the "
            f"period compared over {self.window_days} days before and after their joining "
            f"week with {_members(self.controls)} who had not joined yet, in the same bands "
            "of spending before"
        ]
        left_out = [
            (self.joiners_unmatched, "had no control in their band"),
            (self.joiners_without_history, "had no purchase in the window before"),
            (self.counts.too_recent, "joined too recently for a whole window after"),
        ]
        parts += [f"{count} {why}" for count, why in left_out if count]
        return "; ".join(parts)

    def _why_not(self) -> str | None:
        days, counts = self.window_days, self.counts
        if self.observed_until is None:
            return "the analytics store has not been exported yet"
        if counts.joiners == 0:
            return "nobody in scope joined in the period"
        if counts.too_recent == counts.joiners:
            return (
                f"the {days} days after the joining week have not passed for anyone who "
                f"joined in the period ({_members(counts.joiners)})"
            )
        if self.joiners_with_history == 0:
            whole = counts.joiners - counts.too_recent
            return (
                f"no member who joined in the period ({_members(whole)} with {days} days "
                f"passed since) has a purchase recorded in the {days} days before joining: "
                "the baseline needs their earlier history (loyalo import purchases)"
            )
        if self.joiners_matched == 0:
            return (
                "no member who joined later had purchases in the same bands over the same "
                "days as those who joined with purchases before "
                f"({_members(self.joiners_with_history)})"
            )
        return None


def _members(count: int) -> str:
    return f"{count} member" if count == 1 else f"{count} members"


def round_half_up(value: Fraction) -> int:
    """To the nearest integer, halves away from zero (as ``Decimal``'s ROUND_HALF_UP)."""
    magnitude = int(abs(value) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude
