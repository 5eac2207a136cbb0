"""Catalogue rewards given by rules: an ``issue_reward`` effect or a completed
stamp card that names a catalogue reward gives that reward's coupon, free.

The coupon's source is what caused it (``purchase`` and the purchase id, or
``event`` and the event id), so a full return of the purchase cancels it while
it is unused (``CouponService.cancel_unused``). A stamp card's coupon is sourced to
the card instead (``stamp_card`` and the purchase id): a return of the purchase that
completed the card leaves the coupon and makes the card owe the stamps back
(``application/stamps.py``), so the reward is never taken back twice. A reward the
catalogue does not know is only recorded as issued, as before the catalogue existed.
"""

from __future__ import annotations

from collections.abc import Sequence

from loyalo.application.context import AppContext
from loyalo.application.coupons.service import CouponService
from loyalo.application.effects import Effect
from loyalo.application.outcomes import OnIssued
from loyalo.application.ports import IssuedReward, UnitOfWork
from loyalo.application.rewards.issuing import RewardCoupons, issue_coupon
from loyalo.domain.programme.document.effects import Stamps
from loyalo.domain.programme.engine.compiled import CompiledProgramme

STAMP_CARD = "stamp_card"  # the source type of a completed card's coupon


class RuleRewards:
    def __init__(self, coupons: RewardCoupons) -> None:
        self._coupons = coupons

    @classmethod
    def of(cls, ctx: AppContext) -> RuleRewards:
        return cls(CouponService(ctx))

    def issuer(self, uow: UnitOfWork, programme: CompiledProgramme) -> OnIssued:
        """What ``outcomes.remember`` calls for each reward it issues."""
        catalogue = {reward.id: reward for reward in programme.document.rewards}
        cards = {rule.id for rule in programme.document.rules if isinstance(rule.effect, Stamps)}

        def issue(issued: IssuedReward) -> Sequence[Effect]:
            reward = catalogue.get(issued.reward)
            if reward is None:
                return ()
            coupon = issue_coupon(
                self._coupons,
                uow,
                reward,
                issued.member_id,
                issued.issued_at,
                (STAMP_CARD if issued.rule_id in cards else issued.source_type, issued.source_id),
            )
            text = f"{reward.name}: coupon {coupon.code}"
            if coupon.valid_until is not None:
                text += f", valid until {coupon.valid_until.date().isoformat()}"
            return (Effect("coupon_issued", 0, text, None, programme.version, issued.rule_id),)

        return issue
