"""The demo on the example programme (what ``make run`` serves): a catalogue in use,
referrals, running challenges with leaderboards, and a partner — all sound in the ledger."""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from loyalo.adapters.programme_files.loader import load_programme
from loyalo.adapters.storage.tables import MemberRow, PurchaseRow
from loyalo.application.audit import verify_ledger
from loyalo.bootstrap.container import Container, build
from loyalo.bootstrap.demo import DemoSummary, seed_demo
from loyalo.bootstrap.demo_engagement import CHALLENGE, PARTNER_ID, BoardLine
from loyalo.bootstrap.settings import Settings
from loyalo.cli import main as cli
from loyalo.domain.analytics.filters import KpiFilters, Period
from loyalo.domain.ledger.journal import EntryKind
from tests.support.clock import FakeClock

EXAMPLE = Path(__file__).parents[2] / "programmes" / "example.yaml"
MEMBERS = 60
# Half past eleven on a December evening in UTC is half past midnight in Warsaw, the
# example's zone: the demo's settlement and boards must count days on the programme's
# calendar, or the partner's trades of "today" fall outside the settled period.
LATE_EVENING = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, DemoSummary]]:
    container = build(
        Settings(data_dir=tmp_path_factory.mktemp("demo")),
        clock=FakeClock(LATE_EVENING),
        migrate=True,
    )
    with container.ctx.uow() as uow:
        container.programmes.apply(uow, load_programme(EXAMPLE), source="test", actor="test")
        uow.commit()
    yield container, seed_demo(container, members=MEMBERS)
    container.close()


def _ledger_kinds(container: Container) -> Counter[tuple[str, str | None]]:
    with container.ctx.uow() as uow:
        return Counter(
            (stored.entry.kind.value, stored.entry.provenance.source_type)
            for member_id in list(uow.audit.member_ids())
            for stored in uow.audit.entries(member_id)
        )


def test_the_catalogue_is_used_and_every_redemption_burned_points(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    assert engaged.rewards_in_catalogue == 7
    assert sum(engaged.redeemed.values()) > 0
    assert _ledger_kinds(container)[EntryKind.REDEEM.value, "redemption"] == sum(
        engaged.redeemed.values()
    )


def test_referred_members_joined_with_a_code_and_some_first_purchases_rewarded(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    assert engaged.referred > 0
    assert 0 < engaged.referrals_qualified <= engaged.referred
    assert _ledger_kinds(container)[EntryKind.EARN.value, "referral"] > 0
    with Session(container.engine) as session:  # friends are members of the demo, not extras
        assert session.scalar(select(func.count()).select_from(MemberRow)) == MEMBERS


def test_challenges_run_and_the_boards_show_nicknames_only(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    assert "three-visits-a-month" in engaged.running_challenges
    assert engaged.month_board
    assert engaged.challenge_board
    with container.ctx.uow() as uow:
        real_names = {
            name
            for member in container.members.search(uow, None, MEMBERS, None)
            for name in (member.first_name, member.last_name, member.email)
            if name
        }
    boards = (*engaged.month_board, *engaged.challenge_board, *engaged.challenge_board_now)
    shown = {line.name for line in boards}
    assert not shown & real_names
    assert [line.position for line in engaged.month_board] == sorted(
        line.position for line in engaged.month_board
    )


def test_the_board_of_the_challenge_running_now_is_shown_too(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    with container.ctx.uow() as uow:
        board = container.gamification.challenge_board(uow, CHALLENGE, None, 5)
    # half past midnight on 2 December in Warsaw: December's window, an hour and a half old
    assert (board.key, board.opens) == ("2026-12", datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    assert engaged.challenge_board_now == tuple(
        BoardLine(r.position, r.display_name, r.value) for r in board.entries
    )
    assert engaged.challenge_board_now  # someone bought on 1 December
    assert engaged.challenge_board_now != engaged.challenge_board
    # each score is the member's purchases of 20.00 or more since the window opened
    with Session(container.engine) as session:
        for ranked in board.entries:
            bought = session.scalar(
                select(func.count())
                .select_from(PurchaseRow)
                .where(PurchaseRow.member_id == ranked.member_id)
                .where(PurchaseRow.occurred_at >= board.opens)
                .where(PurchaseRow.total_minor >= 2000)
            )
            assert ranked.value == bought


def test_the_demo_prints_each_board_that_has_someone_on_it(
    demo: tuple[Container, DemoSummary], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    printed = io.StringIO()
    monkeypatch.setattr(cli, "out", Console(file=printed, width=120))
    cli._print_engagement(engaged, "http://127.0.0.1:8000")
    text = printed.getvalue()
    assert "Leaderboard — points last month" in text
    assert f"Leaderboard — {CHALLENGE} last month" in text
    assert f"Leaderboard — {CHALLENGE} this month so far" in text
    for line in engaged.challenge_board_now:
        assert line.name in text
    nobody_now = dataclasses.replace(engaged, challenge_board_now=())
    printed.seek(0)
    printed.truncate()
    cli._print_engagement(nobody_now, "http://127.0.0.1:8000")
    assert "this month so far" not in printed.getvalue()  # no empty table


def test_the_partner_traded_and_its_settlement_is_what_it_did(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    engaged = summary.engagement
    assert engaged is not None
    assert engaged.partner_purchases > 0
    assert engaged.partner_redemptions > 0
    with container.ctx.uow() as uow:
        sales = [
            t
            for t in container.partners.transactions(uow, PARTNER_ID, None, None, 500, None)
            if t.kind.value == "purchase"
        ]
    assert len(sales) == engaged.partner_purchases
    assert engaged.settlement_redeemed == 320 * engaged.partner_redemptions
    assert engaged.settlement_net.amount_minor == (
        engaged.settlement_issued * 2 - engaged.settlement_redeemed * 8
    )


def test_the_ledger_verifies_clean_and_the_outstanding_points_add_up(
    demo: tuple[Container, DemoSummary],
) -> None:
    container, summary = demo
    report = verify_ledger(container.ctx)
    assert report.members_checked == MEMBERS
    assert report.findings == []
    with container.ctx.uow() as uow:
        outstanding = 0
        for member_id in list(uow.audit.member_ids()):
            balance = uow.ledger.balance(member_id)
            outstanding += balance.available + balance.pending + balance.held
    assert summary.points_outstanding == outstanding


def test_the_programme_roi_is_estimated_from_the_members_histories(
    demo: tuple[Container, DemoSummary],
) -> None:
    """Members join over the year with their history before (demo.py): the matched baseline
    can be estimated, so the programme has an ROI, and the demo's planted effect (more visits
    after joining) shows as a positive lift."""
    container, _ = demo
    container.analytics.export()
    year = Period(date(2025, 12, 1), date(2026, 12, 1))
    report = container.analytics.roi(year, KpiFilters())
    programme, matched = report.programme, report.matched_baseline
    assert programme.method == "matched-baseline"
    assert programme.roi is not None
    assert programme.attributable_revenue == matched.lift
    assert matched.counts.joiners == MEMBERS
    assert matched.joiners_matched > 0
    assert matched.controls > 0
    assert matched.lift is not None
    assert matched.lift.amount_minor > 0
    assert programme.attribution.reason.startswith(
        f"{matched.joiners_matched} of the {MEMBERS} members who joined in the period compared "
        "over 90 days"
    )


def test_the_demo_runs_on_the_default_programme_too(tmp_path: Path) -> None:
    """``loyalo demo`` without ``programme apply`` first: no catalogue, no challenges, no
    referrals to show, and still a sound ledger with the partner's sales."""
    container = build(Settings(data_dir=tmp_path), migrate=True)
    try:
        summary = seed_demo(container, members=12)
        engaged = summary.engagement
        assert engaged is not None
        assert (engaged.rewards_in_catalogue, engaged.redeemed, engaged.referred) == (0, {}, 0)
        assert engaged.running_challenges == ()
        assert engaged.challenge_board == ()
        assert engaged.partner_purchases > 0
        assert verify_ledger(container.ctx).findings == []
    finally:
        container.close()
