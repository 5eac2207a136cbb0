"""The pure rules of gamification: windows, progress, streaks, leaderboards."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalo.domain.errors import InvalidNickname
from loyalo.domain.gamification.leaderboard import Standing, clean_nickname, display_name, rank
from loyalo.domain.gamification.progress import (
    EventFact,
    Increment,
    PurchaseFact,
    advance,
    compile_challenge,
    event_scope,
)
from loyalo.domain.gamification.streaks import (
    WEEK,
    Run,
    current,
    longest,
    milestones_due,
    run_through,
)
from loyalo.domain.gamification.windows import window_at
from loyalo.domain.programme.diff import diff_documents, render
from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.gamification import Challenge
from loyalo.domain.programme.engine.views import SCOPE_NAMES, MemberView, PurchaseScope
from loyalo.domain.purchases.basket import Line

WARSAW = ZoneInfo("Europe/Warsaw")
MONDAY = date(2026, 11, 30)  # ISO week 2026-W49


def challenge(**fields: Any) -> Challenge:
    document: dict[str, Any] = {"id": "c", "name": "C", "reward": {"points": 10}, **fields}
    return Challenge.model_validate(document)


# --- windows -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "at", "key", "opens", "closes"),
    [
        # a month in Warsaw: 1 December 00:00 local is 30 November 23:00 UTC
        (
            {"period": "month"},
            datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
            "2026-12",
            datetime(2026, 12, 1, tzinfo=WARSAW),
            datetime(2027, 1, 1, tzinfo=WARSAW),
        ),
        (
            {"period": "week"},
            datetime(2026, 12, 6, 22, 59, tzinfo=UTC),  # Sunday 23:59 local
            "2026-W49",
            datetime(2026, 11, 30, tzinfo=WARSAW),
            datetime(2026, 12, 7, tzinfo=WARSAW),
        ),
        (
            {"period": "week"},
            datetime(2026, 12, 6, 23, 0, tzinfo=UTC),  # Monday 00:00 local: the next week
            "2026-W50",
            datetime(2026, 12, 7, tzinfo=WARSAW),
            datetime(2026, 12, 14, tzinfo=WARSAW),
        ),
        (  # a recurring month cut short by the deadline
            {"period": "month", "ends": "2026-12-15T00:00:00"},
            datetime(2026, 12, 10, tzinfo=UTC),
            "2026-12",
            datetime(2026, 12, 1, tzinfo=WARSAW),
            datetime(2026, 12, 15, tzinfo=WARSAW),
        ),
        (
            {"starts": "2026-12-01T00:00:00", "ends": "2027-01-01T00:00:00"},
            datetime(2026, 12, 31, 22, 59, tzinfo=UTC),
            "once",
            datetime(2026, 12, 1, tzinfo=WARSAW),
            datetime(2027, 1, 1, tzinfo=WARSAW),
        ),
    ],
)
def test_the_window_a_moment_counts_in(
    fields: dict[str, Any], at: datetime, key: str, opens: datetime, closes: datetime
) -> None:
    goal = {"type": "purchases", "count": 3}
    window = window_at(challenge(goal=goal, **fields), at, WARSAW)
    assert window is not None
    assert (window.key, window.opens, window.closes) == (key, opens, closes)


@pytest.mark.parametrize(
    "at",
    [
        datetime(2026, 11, 30, 22, 59, tzinfo=UTC),  # 23:59 local, before it starts
        datetime(2026, 12, 31, 23, 0, tzinfo=UTC),  # the deadline itself is out
    ],
)
def test_outside_its_dates_a_challenge_is_not_running(at: datetime) -> None:
    once = challenge(
        goal={"type": "spend", "amount": "10"},
        starts="2026-12-01T00:00:00",
        ends="2027-01-01T00:00:00",
    )
    assert window_at(once, at, WARSAW) is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"goal": {"type": "purchases", "count": 1}}, "deadline"),
        (
            {"goal": {"type": "new_category", "count": 1}, "ends": "2027-01-01T00:00:00"},
            "new since when",
        ),
        (
            {"goal": {"type": "purchases", "count": 1, "lines": "line.price >"}, "period": "week"},
            "syntax",
        ),
        (
            {
                "goal": {"type": "events", "event": "x", "count": 1, "when": "nobody.x"},
                "period": "week",
            },
            "nobody",
        ),
        ({"goal": {"type": "spend", "amount": "0"}, "period": "week"}, "greater than 0"),
        (
            {"goal": {"type": "spend", "amount": "5"}, "period": "week", "reward": {"points": 0}},
            "points, a badge or a reward",
        ),
    ],
)
def test_a_challenge_that_cannot_work_is_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        challenge(**fields)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            {
                "challenges": [
                    _c := {
                        "id": "a",
                        "name": "A",
                        "goal": {"type": "purchases", "count": 1},
                        "period": "week",
                        "reward": {"badge": "nope"},
                    }
                ]
            },
            "unknown badge 'nope'",
        ),
        ({"challenges": [_c, _c], "badges": [{"id": "nope", "name": "N"}]}, "challenge ids"),
        ({"badges": [{"id": "b", "name": "B"}, {"id": "b", "name": "B"}]}, "badge ids"),
        ({"streaks": {"milestones": [{"weeks": 4, "badge": "x"}]}}, "unknown badge 'x'"),
        (
            {"streaks": {"milestones": [{"weeks": 4, "points": 1}, {"weeks": 4, "points": 2}]}},
            "own number of weeks",
        ),
        (
            {"challenges": [{**_c, "tiers": ["gold"], "reward": {"points": 5}}]},
            "unknown tiers",
        ),
        (
            {
                "challenges": [
                    {
                        **_c,
                        "period": None,
                        "reward": {"points": 5},
                        "starts": "2027-01-01T00:00:00",
                        "ends": "2026-12-01T00:00:00",
                    }
                ]
            },
            "'ends' must be after 'starts'",
        ),
    ],
)
def test_the_document_checks_gamification_as_a_whole(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ProgrammeDocument.model_validate(document)


# --- progress ------------------------------------------------------------------------------


def purchase(*lines: Line, delivery: tuple[bool, ...] | None = None) -> PurchaseFact:
    flags = delivery or tuple(line.delivery for line in lines)
    fixed: dict[str, object] = {
        "member": MemberView("m"),
        "tier": None,
        "channel": "pos",
        "store": "s",
        "event": None,
        "trigger": "purchase",
    }
    scope = PurchaseScope(
        lines, flags, fixed, exponent=2, local=datetime(2026, 12, 1, tzinfo=UTC), reads=SCOPE_NAMES
    )
    return PurchaseFact(lines, flags, scope)


COFFEE = Line("LATTE", 2, 1200, category="coffee")  # 24.00
CAKE = Line("CAKE", 1, 900, category="food")  # 9.00
SHIPPING = Line("SHIP", 1, 1500, delivery=True)


@pytest.mark.parametrize(
    ("goal", "lines", "increment"),
    [
        ({"type": "purchases", "count": 3}, (CAKE,), Increment(amount=1)),
        ({"type": "purchases", "count": 3}, (SHIPPING,), Increment()),  # delivery is not goods
        ({"type": "purchases", "count": 3, "min_amount": "20"}, (CAKE,), Increment()),
        (
            {"type": "purchases", "count": 3, "min_amount": "20"},
            (CAKE, COFFEE),
            Increment(amount=1),
        ),
        (  # the minimum counts the matching lines only
            {
                "type": "purchases",
                "count": 3,
                "min_amount": "30",
                "lines": 'line.category == "coffee"',
            },
            (CAKE, COFFEE),
            Increment(),
        ),
        ({"type": "purchases", "count": 3, "lines": 'line.sku == "X"'}, (CAKE,), Increment()),
        ({"type": "spend", "amount": "100"}, (CAKE, COFFEE, SHIPPING), Increment(amount=3300)),
        (
            {"type": "spend", "amount": "100", "lines": 'line.category == "coffee"'},
            (CAKE, COFFEE),
            Increment(amount=2400),
        ),
        (
            {"type": "new_category", "count": 2},
            (COFFEE, CAKE, SHIPPING, COFFEE),
            Increment(distinct=("coffee", "food")),
        ),
        ({"type": "events", "event": "review_posted", "count": 2}, (CAKE,), Increment()),
    ],
)
def test_what_a_purchase_adds(
    goal: dict[str, Any], lines: tuple[Line, ...], increment: Increment
) -> None:
    compiled = compile_challenge(
        challenge(goal=goal, period="month", starts="2026-01-01T00:00:00"), 2
    )
    assert compiled.on_purchase(purchase(*lines)) == increment


def test_a_spend_target_is_in_minor_units() -> None:
    assert (
        compile_challenge(
            challenge(goal={"type": "spend", "amount": "12.34"}, period="week"), 2
        ).target
        == 1234
    )


def event(name: str, **attributes: object) -> EventFact:
    local = datetime(2026, 12, 1, tzinfo=WARSAW)
    return EventFact(name, event_scope(name, attributes, MemberView("m"), None, "app", local))


@pytest.mark.parametrize(
    ("goal", "fact", "increment"),
    [
        ({"count": 2}, event("review_posted", product_id="P1"), Increment(amount=1)),
        ({"count": 2}, event("app_checkin"), Increment()),
        ({"count": 2, "when": "event.rating >= 4"}, event("review_posted", rating=3), Increment()),
        (
            {"count": 2, "when": "event.rating >= 4"},
            event("review_posted", rating=5),
            Increment(amount=1),
        ),
        (
            {"count": 2, "distinct": "event.product_id"},
            event("review_posted", product_id="P1"),
            Increment(distinct=("P1",)),
        ),
        (
            {"count": 2, "distinct": "event.product_id"},
            event("review_posted"),
            Increment(distinct=("None",)),
        ),
    ],
)
def test_what_an_event_adds(goal: dict[str, Any], fact: EventFact, increment: Increment) -> None:
    full = {"type": "events", "event": "review_posted", **goal}
    compiled = compile_challenge(challenge(goal=full, period="month"), 2)
    assert compiled.on_event(fact) == increment
    assert compiled.on_purchase(purchase(CAKE)) == Increment()


@pytest.mark.parametrize(
    ("progress", "target", "added", "after", "completed"),
    [
        (0, 3, 1, 1, False),
        (2, 3, 1, 3, True),
        (2, 3, 5, 3, True),
        (3, 3, 1, 3, False),
        (0, 1, 0, 0, False),
    ],
)
def test_advance(progress: int, target: int, added: int, after: int, completed: bool) -> None:
    step = advance(progress, target, added)
    assert (step.progress, step.completed) == (after, completed)


@given(st.integers(1, 50), st.lists(st.integers(0, 20), max_size=40))
def test_progress_completes_exactly_once_and_never_passes_the_target(
    target: int, increments: list[int]
) -> None:
    progress, completions = 0, 0
    for added in increments:
        step = advance(progress, target, added)
        assert progress <= step.progress <= target
        completions += step.completed
        progress = step.progress
    assert completions == (1 if sum(increments) >= target else 0)
    assert progress == min(target, sum(increments))


def test_progress_never_goes_back() -> None:
    with pytest.raises(ValueError, match="forward"):
        advance(2, 3, -1)


# --- streaks -------------------------------------------------------------------------------


def weeks(*offsets: int) -> set[date]:
    return {MONDAY + WEEK * offset for offset in offsets}


@pytest.mark.parametrize(
    ("held", "this_week", "expected"),
    [
        (weeks(0, 1, 2), 2, Run(MONDAY, 3)),
        (weeks(0, 1, 2), 3, Run(MONDAY, 3)),  # last week's run is alive until this week ends
        (weeks(0, 1, 2), 4, None),  # a whole week without a purchase ends it
        (weeks(0, 2, 3), 3, Run(MONDAY + WEEK * 2, 2)),  # the gap reset it
        (set(), 0, None),
    ],
)
def test_the_current_streak(held: set[date], this_week: int, expected: Run | None) -> None:
    assert current(held, MONDAY + WEEK * this_week) == expected


def test_a_late_receipt_that_fills_the_gap_joins_the_runs() -> None:
    assert run_through(weeks(0, 1, 3, 4), MONDAY + WEEK * 4) == Run(MONDAY + WEEK * 3, 2)
    assert run_through(weeks(0, 1, 2, 3, 4), MONDAY + WEEK * 2) == Run(MONDAY, 5)


def naive_runs(held: set[date]) -> list[Run]:
    """The model: walk every week from the first to the last."""
    if not held:
        return []
    runs, week, start = [], min(held), None
    while week <= max(held) + WEEK:
        if week in held and start is None:
            start = week
        if week not in held and start is not None:
            runs.append(Run(start, (week - start) // WEEK))
            start = None
        week += WEEK
    return runs


week_sets = st.sets(st.integers(0, 60), max_size=30).map(lambda xs: weeks(*xs))


@given(week_sets)
def test_runs_agree_with_walking_week_by_week(held: set[date]) -> None:
    runs = naive_runs(held)
    for run in runs:
        for offset in range(run.weeks):
            assert run_through(held, run.first + WEEK * offset) == run
    best = longest(held)
    assert (best.weeks if best else 0) == max((run.weeks for run in runs), default=0)


@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_a_milestone_is_reached_once_per_run_in_any_order_of_receipts(order: list[int]) -> None:
    """Receipts arrive in any order (late ones too): a run that holds a milestone never gets
    it again, and every run long enough holds it once it is as long."""
    held: set[date] = set()
    reached: dict[int, list[date]] = {}
    for offset in order:
        week = MONDAY + WEEK * offset
        if week in held:
            continue
        held.add(week)
        run = run_through(held, week)
        for milestone, at in milestones_due(run, [4, 8], reached):
            assert not any(run.holds(earlier) for earlier in reached.get(milestone, []))
            assert run.holds(at)
            assert milestone <= run.weeks
            reached.setdefault(milestone, []).append(at)
        for milestone in (4, 8):
            if run.weeks >= milestone:
                assert any(run.holds(at) for at in reached.get(milestone, []))


def test_a_run_that_grows_backwards_does_not_reach_its_milestone_again() -> None:
    held = weeks(1, 2, 3, 4)
    first = milestones_due(run_through(held, MONDAY + WEEK * 4), [4], {})
    assert first == [(4, MONDAY + WEEK * 4)]
    held |= weeks(0)  # a late receipt for the week before
    again = milestones_due(run_through(held, MONDAY), [4], {4: [MONDAY + WEEK * 4]})
    assert again == []


# --- leaderboards ---------------------------------------------------------------------------

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def test_ranking_ties_go_to_whoever_got_there_first() -> None:
    board = rank(
        [
            Standing("a", 3, T0 + timedelta(hours=2), "Ann"),
            Standing("b", 3, T0 + timedelta(hours=1)),
            Standing("c", 5, T0 + timedelta(hours=3), "Cy"),
            Standing("d", 3, T0 + timedelta(hours=1), "Di"),
            Standing("e", 1, None),
        ]
    )
    assert [(r.position, r.member_id, r.value) for r in board] == [
        (1, "c", 5),
        (2, "b", 3),
        (2, "d", 3),  # the same value at the same moment: the same place
        (4, "a", 3),
        (5, "e", 1),
    ]
    assert board[0].display_name == "Cy"


def test_a_member_without_a_nickname_is_shown_by_a_name_made_from_the_id() -> None:
    member_id = "0d9e3c1a-0000-4000-8000-000000000000"
    expected = "Member " + hashlib.sha256(member_id.encode()).hexdigest()[:4].upper()
    assert display_name(member_id, None) == expected
    assert display_name(member_id, None) != "Member 0D9E"  # a hash, not the id's own digits
    assert display_name(member_id, "Bean") == "Bean"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [("CoffeeFan", "CoffeeFan"), ("  Jan   K. ", "Jan K."), ("Zoë_99", "Zoë_99")],
)
def test_nicknames(text: str, cleaned: str) -> None:
    assert clean_nickname(text) == cleaned


@pytest.mark.parametrize("text", ["x", "jan@example.pl", "Member 4F2A", "a" * 25, "<script>", "  "])
def test_nicknames_refused(text: str) -> None:
    with pytest.raises(InvalidNickname):
        clean_nickname(text)


def test_a_programme_diff_matches_challenges_and_badges_by_id() -> None:
    first = {
        "id": "a",
        "name": "A",
        "goal": {"type": "purchases", "count": 3},
        "period": "month",
        "reward": {"points": 10},
    }
    old = ProgrammeDocument.model_validate({"challenges": [first]})
    second = {**first, "id": "b", "name": "Second one"}
    new = ProgrammeDocument.model_validate(
        {
            "challenges": [second, {**first, "reward": {"points": 20}}],  # reordered, changed
            "badges": [{"id": "x", "name": "Explorer"}],
        }
    )
    assert render(diff_documents(old, new)) == [
        "~ challenges[a].reward.points: 10 -> 20",
        "+ challenge b (Second one)",
        "+ badge x (Explorer)",
    ]
