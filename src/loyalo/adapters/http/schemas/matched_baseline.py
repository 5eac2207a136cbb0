"""The matched baseline of attributable revenue over HTTP (part of the programme's ROI): money
as decimal strings in the programme's currency, counts as integers, times in UTC."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from loyalo.adapters.http.schemas.common import optional_text
from loyalo.domain.analytics.matched_baseline import MATCHED_BASELINE, MatchedBaseline


class MatchedBaselineOut(BaseModel):
    """The period's joiners against members who had not joined yet (docs/METRICS.md)."""

    method: str = Field(examples=[MATCHED_BASELINE])
    window_days: int = Field(description="Days compared before and after the joining week")
    observed_until: datetime | None = Field(
        description="The export read: a joining week counts once its window after has ended by then"
    )
    joiners: int = Field(description="Members in scope who joined in the period")
    joiners_matched: int = Field(description="Compared with controls in their stratum")
    joiners_unmatched: int = Field(description="With history, but no control in their stratum")
    joiners_without_history: int = Field(
        description="No purchase recorded in the window before their joining week"
    )
    joiners_too_recent: int = Field(description="Their window after had not ended")
    controls: int = Field(description="Distinct not-yet-joined members compared with them")
    joiners_change: str | None = Field(
        description="What the matched joiners paid after, less before", examples=["50.00"]
    )
    predicted_change: str | None = Field(
        description="Their change had they behaved as their controls did", examples=["10.00"]
    )
    lift: str | None = Field(
        description="joiners_change - predicted_change: the attributable revenue",
        examples=["40.00"],
    )
    reason: str = Field(description="What was compared, or why nothing could be")

    @classmethod
    def of(cls, found: MatchedBaseline) -> MatchedBaselineOut:
        return cls(
            method=MATCHED_BASELINE,
            window_days=found.window_days,
            observed_until=found.observed_until,
            joiners=found.counts.joiners,
            joiners_matched=found.joiners_matched,
            joiners_unmatched=found.joiners_unmatched,
            joiners_without_history=found.joiners_without_history,
            joiners_too_recent=found.counts.too_recent,
            controls=found.controls,
            joiners_change=optional_text(found.joiners_change),
            predicted_change=optional_text(found.predicted_change),
            lift=optional_text(found.lift),
            reason=found.reason,
        )
