"""What every named analytics query reads: the period, the previous one, the filters."""

from __future__ import annotations

from collections.abc import Mapping

from loyalo.domain.analytics.filters import KpiFilters, Period


def query_parameters(period: Period, filters: KpiFilters, **extra: object) -> Mapping[str, object]:
    return {
        "start": period.start,
        "end": period.end,
        "previous_start": period.previous().start,
        "channel": filters.channel,
        "store": filters.store,
        "tier": filters.tier,
        "flag": filters.flag,
        **extra,
    }
