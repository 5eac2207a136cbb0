"""Streaks, badges and leaderboards on both engines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from loyalo.application.audit import verify_ledger
from loyalo.application.gamification.service import BoardPeriod
from loyalo.bootstrap.container import Container
from loyalo.domain.errors import ChallengeNotFound, InvalidNickname
from loyalo.domain.gamification.leaderboard import display_name
from loyalo.domain.members.member import Member
from loyalo.domain.purchases.basket import Line
from tests.gamification.support import at, buy, kinds, prize_entries, programme, progress
from tests.programme.support import apply, balance, enrol
from tests.support.clock import FakeClock

STREAKS: dict[str, Any] = {
    "badges": [{"id": "regular", "name": "Regular"}],
    "streaks": {"milestones": [{"weeks": 3, "badge": "regular"}, {"weeks": 5, "points": 200}]},
}
MONDAY = at(3, 2)  # 2026-W10


def week(offset: int, days: int = 0) -> Any:
    return MONDAY + timedelta(weeks=offset, days=days)


def item() -> Line:
    return Line("SKU", 1, 1000)


def streak(container: Container, member: Member) -> Any:
    with container.ctx.uow() as uow:
        return container.gamification.streak(uow, member.member_id)


def test_weeks_in_a_row_reach_each_milestone_once(container: Container, clock: FakeClock) -> None:
    apply(container, **programme(**STREAKS))
    member = enrol(container, email="streak@example.pl")
    reached: list[list[str]] = []
    for offset, days in [(0, 0), (0, 3), (1, 6), (2, 0), (3, 1), (4, 2), (5, 0)]:
        result = buy(container, member, week(offset, days), item())
        reached.append(
            [e.kind for e in result.effects if e.kind in ("badge_awarded", "streak_milestone")]
        )
    assert reached == [
        [],
        [],  # a second purchase in the same week adds nothing
        [],
        ["streak_milestone", "badge_awarded"],  # week 3
        [],
        ["streak_milestone"],  # week 5: 200 points
        [],
    ]
    assert balance(container, member) == (200, 0)
    entries = prize_entries(container, member)
    assert [(e.entry.provenance.source_type, e.entry.provenance.rule_id) for e in entries] == [
        ("streak", "streak:5w")
    ]
    clock.advance(week(5) - clock.now() + timedelta(days=1))
    status = streak(container, member)
    assert (status.current_weeks, status.best_weeks, status.this_week_done) == (6, 6, True)
    assert status.current_since == date(2026, 3, 2)
    assert status.next_milestone is None
    assert verify_ledger(container.ctx).ok


def test_a_week_without_a_purchase_ends_the_streak(container: Container, clock: FakeClock) -> None:
    apply(container, **programme(**STREAKS))
    member = enrol(container, email="gap@example.pl")
    for offset in (0, 1, 3, 4):  # no purchase in week 2
        result = buy(container, member, week(offset), item())
        assert "streak_milestone" not in kinds(result.effects)
    clock.advance(week(5) - clock.now() + timedelta(days=2))  # week 5, nothing bought yet
    status = streak(container, member)
    assert (status.current_weeks, status.this_week_done, status.next_milestone) == (2, False, 3)
    clock.advance(timedelta(weeks=1))  # week 6: week 5 went by without a purchase
    assert streak(container, member).current_weeks == 0
    assert streak(container, member).best_weeks == 2


def test_a_late_receipt_that_fills_the_gap_completes_the_run(container: Container) -> None:
    apply(container, **programme(**STREAKS))
    member = enrol(container, email="late@example.pl")
    for offset in (0, 2):
        buy(container, member, week(offset), item())
    late = buy(container, member, week(1), item())
    assert "badge_awarded" in kinds(late.effects)
    with container.ctx.uow() as uow:
        badges = container.gamification.badges(uow, member.member_id)
    assert [(b.awarded.badge_id, b.awarded.source_type) for b in badges] == [("regular", "streak")]


def test_without_streaks_in_the_programme_no_week_is_kept(container: Container) -> None:
    apply(container, **programme())
    member = enrol(container, email="none@example.pl")
    result = buy(container, member, week(0), item())
    assert not [e for e in result.effects if e.kind.startswith(("streak", "challenge", "badge"))]
    with container.ctx.uow() as uow:
        assert uow.gamification.streak_weeks(member.member_id) == set()


def earn(container: Container, member: Member, when: Any, amount_minor: int) -> None:
    buy(container, member, when, Line("SKU", 1, amount_minor))


def test_the_points_leaderboard_shows_nicknames_and_leaves_out_who_opted_out(
    container: Container,
) -> None:
    apply(container, **programme(earning={"points": 1, "per": "1.00"}, timezone="Europe/Warsaw"))
    ann, bob, cy, dee = (
        enrol(container, email=f"{n}@example.pl", first_name=n) for n in ("ann", "bob", "cy", "dee")
    )
    earn(container, ann, at(3, 2), 5000)
    earn(container, bob, at(3, 3), 9000)
    earn(container, cy, at(3, 1), 5000)  # the same points as Ann, earlier
    earn(container, dee, at(3, 4), 99900)  # most of all, but opted out
    earn(container, ann, at(2, 27), 99900)  # February: another month
    with container.ctx.uow() as uow:
        container.gamification.set_profile(uow, bob.member_id, "  Bobby  B ", True)
        container.gamification.set_profile(uow, dee.member_id, None, False)
        uow.commit()
    with container.ctx.uow() as uow:
        board = container.gamification.points_board(uow, BoardPeriod.MONTH, at(3, 15), 10)
    assert board.key == "2026-03"
    assert [(e.position, e.display_name, e.value) for e in board.entries] == [
        (1, "Bobby B", 90),
        (2, display_name(cy.member_id, None), 50),
        (3, display_name(ann.member_id, None), 50),
    ]
    assert all("ann" not in e.display_name.lower() for e in board.entries)
    with container.ctx.uow() as uow:
        weekly = container.gamification.points_board(uow, BoardPeriod.WEEK, at(3, 2), 1)
    assert weekly.key == "2026-W10"
    assert [e.value for e in weekly.entries] == [90]  # bob; cy's 1 March was a Sunday, W09


def test_a_nickname_is_checked(container: Container) -> None:
    member = enrol(container, email="nick@example.pl")
    with container.ctx.uow() as uow, pytest.raises(InvalidNickname):
        container.gamification.set_profile(uow, member.member_id, "nick@example.pl", True)
    with container.ctx.uow() as uow:
        assert container.gamification.profile(uow, member.member_id).leaderboard is True


CHALLENGE: dict[str, Any] = {
    "id": "five",
    "name": "Five purchases",
    "goal": {"type": "purchases", "count": 2},
    "period": "month",
    "reward": {"points": 10},
}


def test_the_challenge_leaderboard_ranks_progress_then_who_completed_first(
    container: Container,
) -> None:
    apply(container, **programme(challenges=[CHALLENGE]))
    ann, bob, cy = (enrol(container, email=f"{n}-c@example.pl") for n in ("ann", "bob", "cy"))
    earn(container, ann, at(3, 2), 100)
    earn(container, bob, at(3, 3), 100)
    earn(container, cy, at(3, 4), 100)
    earn(container, cy, at(3, 5), 100)  # cy completes first
    earn(container, bob, at(3, 6), 100)
    with container.ctx.uow() as uow:
        container.gamification.set_profile(uow, cy.member_id, "Cy", True)
        uow.commit()
    with container.ctx.uow() as uow:
        board = container.gamification.challenge_board(uow, "five", at(3, 20), 10)
        with pytest.raises(ChallengeNotFound):
            container.gamification.challenge_board(uow, "nope", None, 10)
    assert board.key == "2026-03"
    assert [(e.position, e.member_id, e.value) for e in board.entries] == [
        (1, cy.member_id, 2),
        (2, bob.member_id, 2),
        (3, ann.member_id, 1),
    ]
    assert board.entries[0].display_name == "Cy"
    assert progress(container, bob)["five", "2026-03"].completed_at == at(3, 6)
