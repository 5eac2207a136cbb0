"""An attributable revenue is an estimate: it always travels with its method and the reason
that method was used, or why no method could be.

The programme tries its methods in order (``first_estimate``): the matched baseline from
members' own histories (``matched_baseline.py``), then the AOV lift against anonymous sales
(``roi.py``); the first that can estimate is used, and its reason also says why the ones
before it could not.
"""

from __future__ import annotations

from dataclasses import dataclass

from loyalo.domain.money import Money


@dataclass(frozen=True, slots=True)
class Attribution:
    method: str | None  # None: no method could estimate
    revenue: Money | None
    reason: str

    @property
    def estimated(self) -> bool:
        return self.revenue is not None


def first_estimate(*candidates: Attribution) -> Attribution:
    """The first candidate with an estimate, its reason naming the ones passed over; with
    none, no method and every candidate's reason."""
    passed: list[str] = []
    for candidate in candidates:
        if candidate.estimated:
            reason = "; ".join([candidate.reason, *passed])
            return Attribution(candidate.method, candidate.revenue, reason)
        passed.append(f"{candidate.method} not used: {candidate.reason}")
    return Attribution(None, None, "no estimate: " + "; ".join(passed))
