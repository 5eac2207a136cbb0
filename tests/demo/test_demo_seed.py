"""The demo seed's year of till traffic: deterministic, consistent with the database, and a
sound ledger. Its engagement (catalogue, referrals, partner) is tested on the example
programme in test_demo_engagement.py."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import phonenumbers
import pytest

from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.demo import DemoSummary, seed_demo
from loyalo.bootstrap.settings import Settings
from loyalo.domain.ledger.journal import EntryKind
from loyalo.domain.members.member import Member
from loyalo.domain.reservations.holds import HoldStatus

MEMBERS = 25
STORES = {"waw-01": "pos", "krk-01": "pos", "gdn-01": "pos", "online": "online", "app": "app"}


def _fresh(path: Path) -> Container:
    return build(Settings(data_dir=path), migrate=True)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, DemoSummary]]:
    container = _fresh(tmp_path_factory.mktemp("demo"))
    calls: list[tuple[int, int]] = []
    summary = seed_demo(
        container, members=MEMBERS, progress=lambda d, t: calls.append((d, t)), engagement=False
    )
    total = calls[-1][1]
    assert [done for done, _ in calls] == list(range(1, total + 1))
    assert {t for _, t in calls} == {total}
    yield container, summary
    container.close()


def _all_members(container: Container) -> list[Member]:
    found: list[Member] = []
    with container.ctx.uow() as uow:
        while page := container.members.search(
            uow, None, 100, found[-1].member_id if found else None
        ):
            found.extend(page)
    return found


def _counted_through_the_ledger(container: Container) -> DemoSummary:
    """Count what the seed left, through the unit of work's repositories."""
    kinds: Counter[str] = Counter()
    returns = redemptions = outstanding = 0
    with container.ctx.uow() as uow:
        members = uow.members.count()
        for member_id in list(uow.audit.member_ids()):
            balance = uow.ledger.balance(member_id)
            outstanding += balance.available + balance.pending + balance.held
            for stored in uow.audit.entries(member_id):
                entry = stored.entry
                kinds[entry.kind] += 1
                source_id = entry.provenance.source_id
                assert source_id is not None
                if entry.kind is EntryKind.EARN:
                    assert uow.purchases.get(source_id) is not None
                    returns += len(uow.purchases.returns(source_id))
                elif entry.kind is EntryKind.COMMIT:
                    hold = uow.reservations.get(source_id)
                    assert hold is not None
                    assert hold.status is HoldStatus.COMMITTED
                    redemptions += 1
    return DemoSummary(
        members=members,
        purchases=kinds[EntryKind.EARN],  # every demo basket earns points
        returns=returns,
        redemptions=redemptions,
        adjustments=kinds[EntryKind.ADJUSTMENT],
        points_outstanding=outstanding,
    )


def test_summary_matches_the_database(seeded: tuple[Container, DemoSummary]) -> None:
    container, summary = seeded
    assert summary.members == MEMBERS
    assert summary.purchases > MEMBERS
    assert summary.points_outstanding > 0
    assert _counted_through_the_ledger(container) == summary


def test_every_kind_of_traffic_is_there(seeded: tuple[Container, DemoSummary]) -> None:
    container, summary = seeded
    with container.ctx.uow() as uow:
        kinds = Counter(
            stored.entry.kind
            for member_id in list(uow.audit.member_ids())
            for stored in uow.audit.entries(member_id)
        )
    assert kinds[EntryKind.EARN] == summary.purchases
    assert kinds[EntryKind.HOLD] == kinds[EntryKind.COMMIT] + kinds[EntryKind.RELEASE]
    assert summary.redemptions > 0
    assert summary.returns > 0
    assert kinds[EntryKind.RETURN] > 0


def test_ledger_verifies_clean(seeded: tuple[Container, DemoSummary]) -> None:
    container, _ = seeded
    report = verify_ledger(container.ctx)
    assert report.members_checked == MEMBERS
    assert report.findings == []


def test_members_have_plausible_unique_identifiers(
    seeded: tuple[Container, DemoSummary],
) -> None:
    container, _ = seeded
    members = _all_members(container)
    assert len(members) == MEMBERS
    emails = [m.email for m in members]
    phones = [m.phone for m in members]
    externals = sorted(m.external_id or "" for m in members)
    assert len(set(emails)) == MEMBERS
    assert len(set(phones)) == MEMBERS
    assert externals == [f"shop-{n:06d}" for n in range(1, MEMBERS + 1)]
    for member in members:
        assert member.email is not None
        assert re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@example\.pl", member.email)
        assert member.phone is not None
        assert re.fullmatch(r"\+48[5-8]\d{8}", member.phone)
        assert phonenumbers.is_valid_number(phonenumbers.parse(member.phone))
        assert member.first_name
        assert member.last_name


def test_members_join_over_the_year_with_purchases_before_and_after(
    seeded: tuple[Container, DemoSummary],
) -> None:
    """Each customer joins at their own moment of the year; what they bought before is their
    history, recorded for them, and they keep buying after."""
    container, _ = seeded
    now = container.ctx.clock.now()
    joined = [m.created_at for m in _all_members(container)]
    assert all(now - timedelta(days=366) < at < now for at in joined)
    assert len({at.date() for at in joined}) > MEMBERS // 2
    container.analytics.export()
    (row,) = container.analytics_store.rows(
        "SELECT SUM(CASE WHEN p.occurred_at < m.created_at THEN 1 ELSE 0 END) AS before,"
        " SUM(CASE WHEN p.occurred_at >= m.created_at THEN 1 ELSE 0 END) AS after"
        " FROM purchases p JOIN members m ON p.member_id = m.member_id"
    )
    assert row["before"] > 0
    assert row["after"] > 0


def test_redemptions_and_corrections_are_dated_through_the_year(
    seeded: tuple[Container, DemoSummary],
) -> None:
    """A till's redemption and an admin's correction happen when the plan says, not all on the
    day the demo was built: a report over any past month shows what was spent in it."""
    container, _ = seeded
    now = container.ctx.clock.now()
    with container.ctx.uow() as uow:
        dated = [
            (stored.entry.kind, stored.entry.occurred_at)
            for member_id in list(uow.audit.member_ids())
            for stored in uow.audit.entries(member_id)
            if stored.entry.kind in (EntryKind.COMMIT, EntryKind.ADJUSTMENT)
        ]
    commits = [at for kind, at in dated if kind is EntryKind.COMMIT]
    assert commits
    assert all(now - timedelta(days=366) < at <= now for _, at in dated)
    assert len({(at.year, at.month) for at in commits}) > 1
    assert min(at for _, at in dated) < now - timedelta(days=30)


def test_receipts_are_unique_per_store_and_match_the_channel(
    seeded: tuple[Container, DemoSummary],
) -> None:
    container, summary = seeded
    seen: set[tuple[str, str]] = set()
    with container.ctx.uow() as uow:
        for member_id in list(uow.audit.member_ids()):
            for stored in uow.audit.entries(member_id):
                if stored.entry.kind is not EntryKind.EARN:
                    continue
                assert stored.entry.provenance.source_id is not None
                purchase = uow.purchases.get(stored.entry.provenance.source_id)
                assert purchase is not None
                assert STORES[purchase.store_id] == purchase.channel
                assert purchase.receipt_id.startswith(f"R-{purchase.store_id}-")
                assert 1 <= len(purchase.lines) <= 6
                assert purchase.occurred_at < container.ctx.clock.now()
                seen.add((purchase.store_id, purchase.receipt_id))
    assert len(seen) == summary.purchases


def test_seeding_again_does_nothing(seeded: tuple[Container, DemoSummary]) -> None:
    container, summary = seeded
    calls: list[tuple[int, int]] = []
    again = seed_demo(
        container, members=MEMBERS, progress=lambda d, t: calls.append((d, t)), engagement=False
    )
    assert again == summary
    assert calls == []
    with container.ctx.uow() as uow:
        assert uow.members.count() == MEMBERS


def test_same_seed_gives_the_same_demo(
    seeded: tuple[Container, DemoSummary], tmp_path: Path
) -> None:
    first, summary = seeded
    second = _fresh(tmp_path)
    try:
        again = seed_demo(second, members=MEMBERS, engagement=False)
        assert again == summary
        assert sorted(m.email or "" for m in _all_members(second)) == sorted(
            m.email or "" for m in _all_members(first)
        )
    finally:
        second.close()


def test_another_seed_and_size_is_consistent_too(tmp_path: Path) -> None:
    container = _fresh(tmp_path)
    try:
        summary = seed_demo(container, members=5, seed=7, engagement=False)
        assert summary.members == 5
        assert _counted_through_the_ledger(container) == summary
    finally:
        container.close()
