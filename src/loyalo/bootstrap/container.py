"""Build the application from settings: engine, unit of work, services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.migrate import upgrade
from loyalo.adapters.storage.unit_of_work import SqlUnitOfWorkFactory
from loyalo.application.access import AccessService
from loyalo.application.adjustments import AdjustmentService
from loyalo.application.context import AppContext, SystemClock
from loyalo.application.coupons.service import CouponService
from loyalo.application.events import EventService
from loyalo.application.history.importer import HistoryImporter
from loyalo.application.idempotency import IdempotentRunner
from loyalo.application.members import MemberService
from loyalo.application.ports import Clock, UnitOfWork
from loyalo.application.programme_runtime import ProgrammeRuntime
from loyalo.application.programmes import ProgrammeService
from loyalo.application.purchases import PurchaseService
from loyalo.application.reservations import ReservationService
from loyalo.application.rewards.redemptions import RewardService
from loyalo.application.simulation.service import BacktestService
from loyalo.application.tiers import TierService
from loyalo.application.wallets import WalletService
from loyalo.bootstrap.settings import Settings
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
    coupons: CouponService
    rewards: RewardService

    def close(self) -> None:
        self.engine.dispose()


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
    coupons = CouponService(ctx)
    return Container(
        settings=settings,
        engine=engine,
        ctx=ctx,
        programmes=programmes,
        members=MemberService(ctx, listener=events),
        purchases=PurchaseService(ctx),
        events=events,
        tiers=TierService(ctx),
        reservations=ReservationService(ctx),
        adjustments=AdjustmentService(ctx),
        access=AccessService(ctx),
        idempotent=IdempotentRunner(ctx),
        history=HistoryImporter(ctx),
        wallets=WalletService(ctx),
        backtest=BacktestService(ctx, programmes, units.read_only_history),
        coupons=coupons,
        rewards=RewardService(ctx, coupons),
    )
