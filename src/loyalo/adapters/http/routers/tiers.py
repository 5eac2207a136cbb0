"""A member's tier: the tier held, progress to the next one, the tier history."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter

from loyalo.adapters.http.schemas.tiers import MetricUnit, TierView
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.tiers import TierMetric

router = APIRouter(prefix="/v1/members", tags=["tiers"])


def metric_unit(document: ProgrammeDocument) -> MetricUnit:
    metric = document.tiers.metric if document.tiers else TierMetric.POINTS_EARNED
    return MetricUnit(metric, document.currency)


def _units_by_version(
    svc: HttpServices, uow: UnitOfWork, versions: Iterable[int]
) -> dict[int, MetricUnit]:
    """Each history entry counted its metric the way the version that wrote it did."""
    return {v: metric_unit(svc.programmes.document(uow, v)) for v in set(versions)}


def tier_of(svc: HttpServices, caller: Principal, member: str) -> TierView:
    caller.require(Capability.TIERS_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.TIERS_READ, found.member_id)
        programme = svc.ctx.programmes.compiled(uow)
        document = programme.document
        now = svc.ctx.clock.now()
        status = svc.tiers.status(uow, document, found.member_id, now)
        history = svc.tiers.history(uow, found.member_id)
        units = _units_by_version(svc, uow, (entry.programme_version for entry in history))
    return TierView.of(
        found.member_id,
        programme.version,
        document.tiers,
        metric_unit(document),
        status,
        [(entry, units[entry.programme_version]) for entry in history],
    )


@router.get(
    "/{member}/tier",
    response_model=TierView,
    summary="A member's tier, progress to the next tier and tier history",
)
def tier(member: str, svc: ServicesDep, caller: CallerDep) -> TierView:
    """Admin and pos keys may read any member; an app key only the member its token names."""
    return tier_of(svc, caller, member)
