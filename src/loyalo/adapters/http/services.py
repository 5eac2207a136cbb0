"""What the HTTP edge needs, handed over by the wiring (it never builds it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from loyalo.application.access import AccessService
from loyalo.application.adjustments import AdjustmentService
from loyalo.application.analytics.clv import ClvService
from loyalo.application.analytics.service import AnalyticsService
from loyalo.application.context import AppContext
from loyalo.application.coupons.service import CouponService
from loyalo.application.events import EventService
from loyalo.application.finance.service import FinanceService
from loyalo.application.gamification.service import GamificationService
from loyalo.application.giftcards.service import GiftCardService
from loyalo.application.idempotency import IdempotentRunner
from loyalo.application.members import MemberService
from loyalo.application.memberships.service import MembershipService
from loyalo.application.partners.service import PartnerService
from loyalo.application.passes.service import PassService
from loyalo.application.programmes import ProgrammeService
from loyalo.application.purchases import PurchaseService
from loyalo.application.referrals.service import ReferralService
from loyalo.application.report.service import ReportService
from loyalo.application.reservations import ReservationService
from loyalo.application.rewards.redemptions import RewardService
from loyalo.application.tiers import TierService
from loyalo.application.wallets import WalletService
from loyalo.domain.programme.document import ProgrammeDocument


@dataclass(frozen=True, slots=True)
class HttpServices:
    ctx: AppContext
    members: MemberService
    purchases: PurchaseService
    events: EventService
    tiers: TierService
    programmes: ProgrammeService
    reservations: ReservationService
    adjustments: AdjustmentService
    access: AccessService
    idempotent: IdempotentRunner
    wallets: WalletService
    passes: PassService
    memberships: MembershipService
    partners: PartnerService
    gamification: GamificationService
    rewards: RewardService
    render_card: Callable[[str, Literal["svg", "png"]], bytes]
    parse_programme: Callable[[str], ProgrammeDocument]  # YAML or JSON text, located errors
    gift_cards: GiftCardService
    referrals: ReferralService
    coupons: CouponService
    clv: ClvService
    finance: FinanceService
    analytics: AnalyticsService
    report: ReportService
