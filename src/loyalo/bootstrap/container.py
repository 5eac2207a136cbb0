"""Build the application from settings: engine, unit of work, services."""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass

import yaml
from sqlalchemy import Engine

from loyalo.adapters.analytics.parquet import ParquetWarehouse
from loyalo.adapters.analytics.store import AnalyticsStore
from loyalo.adapters.passes.apple import ApplePassSigner
from loyalo.adapters.passes.google import GoogleJwtSigner
from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.migrate import upgrade
from loyalo.adapters.storage.unit_of_work import SqlUnitOfWorkFactory
from loyalo.application.access import AccessService
from loyalo.application.adjustments import AdjustmentService
from loyalo.application.analytics.clv import ClvService
from loyalo.application.analytics.ports import AnalyticsQueries
from loyalo.application.analytics.service import AnalyticsService
from loyalo.application.context import AppContext, SystemClock
from loyalo.application.coupons.service import CouponService
from loyalo.application.events import EventService
from loyalo.application.finance.service import FinanceService
from loyalo.application.gamification.service import GamificationService
from loyalo.application.giftcards.service import GiftCardService
from loyalo.application.history.importer import HistoryImporter
from loyalo.application.idempotency import IdempotentRunner
from loyalo.application.members import MemberService
from loyalo.application.memberships.service import MembershipService
from loyalo.application.partners.service import PartnerService
from loyalo.application.passes.service import AppleWallet, GoogleWallet, PassService
from loyalo.application.ports import Clock, UnitOfWork
from loyalo.application.programme_runtime import ProgrammeRuntime
from loyalo.application.programmes import ProgrammeService
from loyalo.application.purchases import PurchaseService
from loyalo.application.referrals.service import ReferralService
from loyalo.application.report.service import ReportService
from loyalo.application.reservations import ReservationService
from loyalo.application.rewards.redemptions import RewardService
from loyalo.application.simulation.service import BacktestService
from loyalo.application.tiers import TierService
from loyalo.application.wallets import WalletService
from loyalo.bootstrap.settings import Settings
from loyalo.domain.analytics.costs import CostsDocument
from loyalo.domain.passes.apple import AppleIdentity
from loyalo.domain.passes.google import GoogleIdentity
from loyalo.domain.programme.stored import ActiveProgramme


@dataclass(frozen=True, slots=True)
class Container:
    settings: Settings
    engine: Engine
    ctx: AppContext
    programmes: ProgrammeService
    members: MemberService
    purchases: PurchaseService
    events: EventService
    tiers: TierService
    reservations: ReservationService
    adjustments: AdjustmentService
    access: AccessService
    idempotent: IdempotentRunner
    history: HistoryImporter
    wallets: WalletService
    backtest: BacktestService
    passes: PassService
    gift_cards: GiftCardService
    memberships: MembershipService
    partners: PartnerService
    gamification: GamificationService
    referrals: ReferralService
    coupons: CouponService
    rewards: RewardService
    clv: ClvService
    finance: FinanceService
    analytics: AnalyticsService
    analytics_store: AnalyticsStore
    report: ReportService
    analytics_queries: AnalyticsQueries  # analytics_store, or Spark over its files

    def close(self) -> None:
        self.engine.dispose()
        self.analytics_queries.close()


def build(
    settings: Settings | None = None, clock: Clock | None = None, migrate: bool = False
) -> Container:
    settings = settings or Settings()
    engine = make_engine(settings.resolved_database_url, pool_size=settings.db_pool_size)
    if migrate:
        upgrade(engine)
    programmes: ProgrammeService | None = None

    def active(uow: UnitOfWork) -> ActiveProgramme:
        assert programmes is not None  # bound below, before any request
        return programmes.active(uow)

    runtime = ProgrammeRuntime(active)
    units = SqlUnitOfWorkFactory(engine)
    ctx = AppContext(units, clock or SystemClock(), settings.terms(), runtime)
    programmes = ProgrammeService(ctx, settings.default_programme())
    events = EventService(ctx)
    tiers = TierService(ctx)
    referrals = ReferralService(ctx)
    purchases = PurchaseService(ctx, listener=referrals)
    access = AccessService(ctx)
    coupons = CouponService(ctx)
    analytics_store = AnalyticsStore(ParquetWarehouse(settings.resolved_analytics_dir))
    analytics_queries = _analytics_queries(settings, analytics_store)
    clv = ClvService(ctx)
    analytics = AnalyticsService(
        ctx,
        analytics_store.warehouse,
        analytics_queries,
        _analytics_costs(settings),
    )
    return Container(
        settings=settings,
        engine=engine,
        ctx=ctx,
        programmes=programmes,
        members=MemberService(ctx, listener=events, referrals=referrals),
        purchases=purchases,
        events=events,
        tiers=tiers,
        reservations=ReservationService(ctx),
        adjustments=AdjustmentService(ctx),
        access=access,
        idempotent=IdempotentRunner(ctx),
        history=HistoryImporter(ctx),
        wallets=WalletService(ctx),
        backtest=BacktestService(ctx, programmes, units.read_only_history),
        passes=PassService(ctx, tiers, _apple_wallet(settings), _google_wallet(settings)),
        gift_cards=GiftCardService(ctx, purchases),
        memberships=MembershipService(ctx),
        partners=PartnerService(ctx, access),
        gamification=GamificationService(ctx),
        referrals=referrals,
        coupons=coupons,
        rewards=RewardService(ctx, coupons),
        clv=clv,
        finance=FinanceService(ctx),
        analytics=analytics,
        analytics_store=analytics_store,
        report=ReportService(
            ctx,
            analytics_queries,
            analytics.export,
            clv.values,
            observed_until=lambda: analytics.freshness().exported_at,
        ),
        analytics_queries=analytics_queries,
    )


def _analytics_queries(settings: Settings, store: AnalyticsStore) -> AnalyticsQueries:
    """DuckDB embedded, or Spark: checked at start-up, so a missing piece fails there."""
    if settings.analytics_engine == "duckdb":
        return store
    if importlib.util.find_spec("pyspark") is None:
        raise RuntimeError(
            "LOYALO_ANALYTICS_ENGINE=spark needs pyspark: pip install 'loyalo[spark]'"
        )
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise RuntimeError(
            "LOYALO_ANALYTICS_ENGINE=spark needs Java 17 (java on PATH or JAVA_HOME)"
        )
    from loyalo.adapters.analytics.spark import SparkQueries, session_at

    master = settings.spark_master
    return SparkQueries(lambda: session_at(master), store.warehouse)


def _analytics_costs(settings: Settings) -> CostsDocument | None:
    """Read at start-up, so a bad costs file fails there."""
    if settings.analytics_costs is None:
        return None
    return CostsDocument.model_validate(yaml.safe_load(settings.analytics_costs.read_text()))


def _apple_wallet(settings: Settings) -> AppleWallet | None:
    """The pass certificate is read at start-up, so a bad file fails there, not per card."""
    s = settings  # the settings refuse a wallet configured by halves
    if not (
        s.apple_pass_type_id
        and s.apple_team_id
        and s.apple_organization_name
        and s.apple_certificate_path
        and s.apple_key_path
    ):
        return None
    identity = AppleIdentity(s.apple_pass_type_id, s.apple_team_id, s.apple_organization_name)
    signer = ApplePassSigner.from_files(
        s.apple_certificate_path,
        s.apple_key_path,
        s.apple_key_password,
        s.apple_wwdr_path,
        s.apple_artwork_dir,
    )
    signer.check_issuer(identity.pass_type_id, identity.team_id)
    return AppleWallet(identity, signer)


def _google_wallet(settings: Settings) -> GoogleWallet | None:
    s = settings
    if not (s.google_issuer_id and s.google_service_account_email and s.google_private_key_path):
        return None
    identity = GoogleIdentity(
        issuer_id=s.google_issuer_id,
        class_suffix=s.google_class_suffix,
        service_account_email=s.google_service_account_email,
        origins=tuple(s.google_origins),
        program_logo_url=s.google_program_logo_url,
    )
    return GoogleWallet(identity, GoogleJwtSigner.from_file(s.google_private_key_path))
