"""The programme's liability and breakage, read from the ledger (admin keys)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from loyalo.adapters.http.schemas.finance import BreakageOut, LiabilityOut
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.domain.access.roles import Capability
from loyalo.domain.finance.cohorts import DEFAULT_HORIZON_MONTHS

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


@router.get(
    "/liability",
    response_model=LiabilityOut,
    summary="Points outstanding and their value; points issued, redeemed and expired by month",
)
def liability(svc: ServicesDep, caller: CallerDep) -> LiabilityOut:
    """The liability is what members may still claim (available, pending and held points),
    valued at the programme's redemption rate, as the balances stand now."""
    caller.require(Capability.ANALYTICS_READ)
    return LiabilityOut.of(svc.finance.liability())


@router.get(
    "/breakage",
    response_model=BreakageOut,
    summary="Breakage observed (expired ÷ issued) and forecast by issuing cohort",
)
def breakage(
    svc: ServicesDep,
    caller: CallerDep,
    horizon_months: Annotated[
        int,
        Query(ge=1, le=240, description="Points still outstanding at this age are never redeemed"),
    ] = DEFAULT_HORIZON_MONTHS,
) -> BreakageOut:
    """Each monthly issuing cohort's points: the shares redeemed, expired and outstanding by
    age, and the forecast of the points that will never be redeemed."""
    caller.require(Capability.ANALYTICS_READ)
    return BreakageOut.of(svc.finance.breakage(horizon_months=horizon_months))
