"""``loyalo ledger verify``: recompute every chain and accounting identity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from loyalo.application.context import AppContext
from loyalo.domain.ledger.audit import Finding, audit_chain
from loyalo.domain.wallet.audit import audit_wallet


@dataclass(slots=True)
class VerifyReport:
    members_checked: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def verify_ledger(
    ctx: AppContext, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Check every member's chain and wallet; ``progress(done, total)`` after each member."""
    report = VerifyReport()
    with ctx.uow() as uow:
        member_ids = list(uow.audit.member_ids())
    for member_id in member_ids:
        with ctx.uow() as uow:
            uow.ledger.lock(member_id)  # a consistent view: no write lands mid-check
            finding = audit_chain(
                member_id,
                uow.audit.entries(member_id),
                uow.audit.stored_balance(member_id),
                uow.audit.lot_totals(member_id),
            ) or audit_wallet(  # the money wallet, under the same lock
                member_id,
                uow.wallets.entries(member_id),
                uow.wallets.stored_balance(member_id),
            )
        report.members_checked += 1
        if finding:
            report.findings.append(finding)
        if progress:
            progress(report.members_checked, len(member_ids))
    return report
