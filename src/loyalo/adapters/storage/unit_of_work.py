"""One business transaction over one SQLAlchemy session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from loyalo.adapters.storage.access import SqlAccessRepository
from loyalo.adapters.storage.analytics import SqlAnalyticsSource
from loyalo.adapters.storage.coupons import SqlCouponRepository
from loyalo.adapters.storage.gamification import SqlGamificationRepository
from loyalo.adapters.storage.giftcards import SqlGiftCardRepository
from loyalo.adapters.storage.history import SqlHistoryRepository
from loyalo.adapters.storage.history_reader import SqlHistorySource
from loyalo.adapters.storage.idempotency import SqlIdempotencyRepository
from loyalo.adapters.storage.ledger import SqlLedgerAudit, SqlLedgerRepository
from loyalo.adapters.storage.members import SqlMemberRepository
from loyalo.adapters.storage.memberships import SqlMembershipRepository
from loyalo.adapters.storage.partners import SqlPartnerRepository
from loyalo.adapters.storage.programmes import SqlProgrammeRepository
from loyalo.adapters.storage.purchases import SqlPurchaseRepository
from loyalo.adapters.storage.referrals import SqlReferralRepository
from loyalo.adapters.storage.reservations import SqlReservationRepository
from loyalo.adapters.storage.rewards import SqlRewardRepository
from loyalo.adapters.storage.rules_state import SqlRulesState
from loyalo.adapters.storage.tiers import SqlActivityRepository, SqlTierRepository
from loyalo.adapters.storage.wallets import SqlWalletRepository


class SqlUnitOfWork:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.members = SqlMemberRepository(session)
        self.ledger = SqlLedgerRepository(session)
        self.purchases = SqlPurchaseRepository(session)
        self.reservations = SqlReservationRepository(session)
        self.idempotency = SqlIdempotencyRepository(session)
        self.access = SqlAccessRepository(session)
        self.audit = SqlLedgerAudit(session)
        self.rules = SqlRulesState(session)
        self.programmes = SqlProgrammeRepository(session)
        self.tiers = SqlTierRepository(session)
        self.activity = SqlActivityRepository(session)
        self.history = SqlHistoryRepository(session)
        self.wallets = SqlWalletRepository(session)
        self.gift_cards = SqlGiftCardRepository(session)
        self.memberships = SqlMembershipRepository(session)
        self.partners = SqlPartnerRepository(session)
        self.gamification = SqlGamificationRepository(session)
        self.referrals = SqlReferralRepository(session)
        self.coupons = SqlCouponRepository(session)
        self.rewards = SqlRewardRepository(session)
        self.analytics = SqlAnalyticsSource(session)

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        with self.session.begin_nested():
            yield


class SqlUnitOfWorkFactory:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self.read_only_history = SqlHistorySource(engine)  # snapshots for backtests

    @contextmanager
    def __call__(self) -> Iterator[SqlUnitOfWork]:
        session = self._sessions()
        try:
            yield SqlUnitOfWork(session)
        finally:
            session.rollback()  # a no-op after commit; discards anything left unfinished
            session.close()
