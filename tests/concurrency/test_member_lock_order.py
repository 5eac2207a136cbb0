"""Members are locked before shared rows, always: a referred friend's first purchase, which
also rewards the advocate, must not wait on the advocate while holding a row the
advocate's own purchase needs (a campaign budget, a shared promo code).

The two purchases are forced into the worst interleaving on PostgreSQL: the advocate's
sale holds the advocate and waits until the friend's sale has taken every shared row it
takes before rewarding the advocate. If the friend's sale took a shared row before the
advocate, the two would deadlock (PostgreSQL aborts one: the till gets an error); locked
in order, the friend waits for the advocate, and both sales go through.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from loyalo.application.members import MemberDraft
from loyalo.application.purchases import PurchaseService
from loyalo.application.referrals.service import ReferralService
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.settings import Settings
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from loyalo.domain.referrals.decisions import ReferralStatus
from tests.coupons.support import batch, command
from tests.programme.support import apply, enrol
from tests.support.clock import FakeClock

BUDGETED = {
    "id": "double",
    "name": "Double points while the budget lasts",
    "effect": {"type": "multiplier", "factor": 2},
    "limits": {"budget_points": 1_000_000},
}


@pytest.fixture
def pg(postgres_url: str, tmp_path: Path, clock: FakeClock) -> Any:
    container = build(
        Settings(data_dir=tmp_path, database_url=postgres_url, db_pool_size=5), clock=clock
    )
    yield container
    container.close()


def _friend_of(container: Container, advocate: Member) -> Member:
    with container.ctx.uow() as uow:
        code = container.referrals.code_for(uow, advocate.member_id)
        friend = container.members.enrol(uow, MemberDraft(email="bob@example.pl"), code)
        uow.commit()
    return friend


@pytest.mark.parametrize("shared_row", ["campaign budget", "shared promo code"])
def test_a_friends_first_purchase_and_the_advocates_purchase_at_once(
    pg: Container, monkeypatch: pytest.MonkeyPatch, shared_row: str
) -> None:
    apply(
        pg,
        currency="PLN",
        pending_days=14,
        referrals={"first_purchase": {"advocate": 100, "friend": 10}},
        rules=[BUDGETED] if shared_row == "campaign budget" else [],
    )
    advocate = enrol(pg, email="ann@example.pl")
    friend = _friend_of(pg, advocate)
    promo = batch(pg, pattern="SPRING10", count=1).coupons[0].code
    codes = (promo,) if "code" in shared_row else ()
    friend_took_shared_rows = threading.Event()
    advocate_locked = threading.Event()
    lock_pair, evaluate = ReferralService._lock, PurchaseService._evaluate

    def rewarding_the_advocate(self: ReferralService, uow: Any, *members: str) -> Any:
        friend_took_shared_rows.set()  # the friend's sale holds what it took so far
        advocate_locked.wait(3)
        return lock_pair(self, uow, *members)

    def evaluating(self: PurchaseService, uow: Any, *args: Any, **kwargs: Any) -> Any:
        if args[2] == advocate.member_id:  # (programme, facts, member_id)
            advocate_locked.set()  # the advocate's sale holds the advocate
            friend_took_shared_rows.wait(3)  # in order, it never comes
        return evaluate(self, uow, *args, **kwargs)

    monkeypatch.setattr(ReferralService, "_lock", rewarding_the_advocate)
    monkeypatch.setattr(PurchaseService, "_evaluate", evaluating)
    failures: dict[str, BaseException] = {}

    def sell(name: str, member: Member) -> None:
        try:
            with pg.ctx.uow() as uow:
                pg.purchases.record(uow, command(member, *codes, lines=(Line("A", 1, 10000),)))
                uow.commit()
        except Exception as exc:  # a deadlock surfaces here as psycopg's DeadlockDetected
            failures[name] = exc

    threads = [
        threading.Thread(target=sell, args=("friend", friend)),
        threading.Thread(target=sell, args=("advocate", advocate)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == {}
    with pg.ctx.uow() as uow:
        referral = pg.referrals.of_friend(uow, friend.member_id)
    assert referral is not None
    assert referral.status is ReferralStatus.QUALIFIED  # the friend's sale rewarded the pair
