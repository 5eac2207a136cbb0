"""Who gets what, when: the decision at the friend's enrolment and at a purchase.

A referral is ``pending`` while it waits for the friend's first purchase,
``qualified`` once every step of the programme happened and its points were
credited, ``refused`` (with a reason) when it will never give points, and
``reversed`` when the friend returned the qualifying purchase in full while the
points were still pending. A qualified referral whose points have all become
available is shown as ``rewarded``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from loyalo.domain.programme.document.referrals import ReferralPolicy, ReferralReward
from loyalo.domain.referrals.guards import cap_reached


class ReferralStatus(StrEnum):
    PENDING = "pending"
    QUALIFIED = "qualified"
    REWARDED = "rewarded"  # shown, never stored: qualified, and every reward available
    REFUSED = "refused"
    REVERSED = "reversed"


class RefusalReason(StrEnum):
    CAP_REACHED = "cap-reached"
    DISABLED = "referrals-disabled"
    UNKNOWN_CODE = "unknown-referral-code"
    RETURNED = "first-purchase-returned"  # the reason of a reversed referral


class Stage(StrEnum):
    JOIN = "join"
    FIRST_PURCHASE = "first_purchase"


class Side(StrEnum):
    ADVOCATE = "advocate"
    FRIEND = "friend"


@dataclass(frozen=True, slots=True)
class Decision:
    status: ReferralStatus
    reason: RefusalReason | None = None
    rewards: tuple[tuple[Side, int], ...] = ()  # points per side, none of them zero

    @property
    def counts_against_cap(self) -> bool:
        return bool(self.rewards)


def _rewards(reward: ReferralReward) -> tuple[tuple[Side, int], ...]:
    pairs = ((Side.ADVOCATE, reward.advocate), (Side.FRIEND, reward.friend))
    return tuple((side, points) for side, points in pairs if points > 0)


def at_join(policy: ReferralPolicy | None, rewarded_in_period: int) -> Decision:
    """The friend enrolled with the code; ``rewarded_in_period`` counts the advocate's
    referrals already rewarded in the cap's current period."""
    if policy is None or not policy.enabled:
        return Decision(ReferralStatus.REFUSED, RefusalReason.DISABLED)
    if policy.join is None:
        return Decision(ReferralStatus.PENDING)
    if cap_reached(policy.cap, rewarded_in_period):
        return Decision(ReferralStatus.REFUSED, RefusalReason.CAP_REACHED)
    waiting = policy.first_purchase is not None
    status = ReferralStatus.PENDING if waiting else ReferralStatus.QUALIFIED
    return Decision(status, rewards=_rewards(policy.join))


def at_purchase(
    policy: ReferralPolicy | None,
    total_minor: int,
    exponent: int,
    *,
    already_counted: bool,
    rewarded_in_period: int,
) -> Decision | None:
    """A pending referral's friend bought: the decision, or None when this purchase
    does not qualify (referrals off, no first-purchase step, below the minimum)."""
    if policy is None or not policy.enabled or policy.first_purchase is None:
        return None
    step = policy.first_purchase
    if total_minor < int(step.min_amount.scaleb(exponent)):
        return None
    if not already_counted and cap_reached(policy.cap, rewarded_in_period):
        return Decision(ReferralStatus.REFUSED, RefusalReason.CAP_REACHED)
    return Decision(ReferralStatus.QUALIFIED, rewards=_rewards(step))


def shown_status(
    stored: ReferralStatus, available_at: list[datetime], now: datetime
) -> ReferralStatus:
    """``rewarded`` once a qualified referral's points (``available_at`` of each
    reward still standing) can all be spent."""
    if stored is ReferralStatus.QUALIFIED and all(at <= now for at in available_at):
        return ReferralStatus.REWARDED
    return stored
