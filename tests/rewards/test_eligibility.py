"""The pure decision: may this member redeem this reward now, on this channel, and why not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.programme.document.rewards import Reward
from loyalo.domain.rewards.eligibility import (
    Buckets,
    MemberFacts,
    Refusal,
    Usage,
    buckets,
    decide,
)

WARSAW = ZoneInfo("Europe/Warsaw")
NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
GIFT = {"type": "gift", "description": "a mug"}


def reward(**fields: Any) -> Reward:
    return Reward.model_validate(
        {"id": "mug", "name": "Mug", "points": 100, "benefit": GIFT, **fields}
    )


def member(
    points: int = 500, tier: str | None = "silver", flags: tuple[str, ...] = ()
) -> MemberFacts:
    return MemberFacts(points, tier, frozenset(flags))


CASES: list[tuple[str, dict[str, Any], MemberFacts, Usage, str | None, list[Refusal]]] = [
    ("plain and affordable", {}, member(), Usage(), "app", []),
    ("exactly the cost", {}, member(points=100), Usage(), "app", []),
    ("one point short", {}, member(points=99), Usage(), "app", [Refusal.NOT_ENOUGH_POINTS]),
    ("gold only", {"eligibility": {"tiers": ["gold"]}}, member(), Usage(), "app", [Refusal.TIER]),
    (
        "gold only, gold member",
        {"eligibility": {"tiers": ["gold"]}},
        member(tier="gold"),
        Usage(),
        "app",
        [],
    ),
    (
        "no tier at all",
        {"eligibility": {"tiers": ["gold"]}},
        member(tier=None),
        Usage(),
        "app",
        [Refusal.TIER],
    ),
    (
        "staff flag missing",
        {"eligibility": {"flags": ["staff"]}},
        member(flags=("student",)),
        Usage(),
        "app",
        [Refusal.FLAG],
    ),
    (
        "one of the flags",
        {"eligibility": {"flags": ["staff", "student"]}},
        member(flags=("student",)),
        Usage(),
        "app",
        [],
    ),
    (
        "app only, at the till",
        {"eligibility": {"channels": ["app"]}},
        member(),
        Usage(),
        "pos",
        [Refusal.CHANNEL],
    ),
    (
        "app only, no channel asked",
        {"eligibility": {"channels": ["app"]}},
        member(),
        Usage(),
        None,
        [],
    ),
    (
        "not yet",
        {"available": {"starts": "2026-12-24T00:00:00"}},
        member(),
        Usage(),
        "app",
        [Refusal.NOT_YET_AVAILABLE],
    ),
    (
        "ended",
        {"available": {"ends": "2026-12-10T13:00:00"}},
        member(),
        Usage(),
        "app",
        [Refusal.ENDED],
    ),
    (
        "ends in an hour, local time",
        {"available": {"ends": "2026-12-10T14:00:00"}},
        member(),
        Usage(),
        "app",
        [],
    ),
    ("stock gone", {"stock": 50}, member(), Usage(stock_taken=50), "app", [Refusal.OUT_OF_STOCK]),
    ("last unit", {"stock": 50}, member(), Usage(stock_taken=49), "app", []),
    ("zero stock", {"stock": 0}, member(), Usage(), "app", [Refusal.OUT_OF_STOCK]),
    (
        "once a month, used",
        {"limits": {"per_member": {"times": 1, "per": "month"}}},
        member(),
        Usage(member_times=1),
        "app",
        [Refusal.MEMBER_LIMIT],
    ),
    (
        "twice a month, once used",
        {"limits": {"per_member": {"times": 2, "per": "month"}}},
        member(),
        Usage(member_times=1),
        "app",
        [],
    ),
    (
        "weekly allocation taken",
        {"limits": {"total": {"times": 20, "per": "week"}}},
        member(),
        Usage(total_times=20),
        "app",
        [Refusal.PERIOD_LIMIT],
    ),
    (
        "every reason at once",
        {
            "eligibility": {"tiers": ["gold"], "flags": ["vip"], "channels": ["web"]},
            "available": {"ends": "2026-12-01T00:00:00"},
            "stock": 1,
            "limits": {"per_member": {"times": 1}, "total": {"times": 1}},
        },
        member(points=0),
        Usage(1, 1, 1),
        "pos",
        [
            Refusal.TIER,
            Refusal.FLAG,
            Refusal.CHANNEL,
            Refusal.ENDED,
            Refusal.OUT_OF_STOCK,
            Refusal.MEMBER_LIMIT,
            Refusal.PERIOD_LIMIT,
            Refusal.NOT_ENOUGH_POINTS,
        ],
    ),
]


@pytest.mark.parametrize(
    ("fields", "facts", "usage", "channel", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_decision(
    fields: dict[str, Any],
    facts: MemberFacts,
    usage: Usage,
    channel: str | None,
    expected: list[Refusal],
) -> None:
    decision = decide(reward(**fields), facts, usage, NOW, WARSAW, channel)
    assert list(decision.refusals) == expected
    assert decision.allowed == (not expected)
    assert decision.affordable == (Refusal.NOT_ENOUGH_POINTS not in expected)
    assert decision.eligible == all(r is Refusal.NOT_ENOUGH_POINTS for r in expected)


def test_reasons_say_what_is_missing() -> None:
    decision = decide(reward(), member(points=60), Usage(), NOW, WARSAW, "app")
    assert [(r.refusal, r.detail) for r in decision.reasons] == [
        (Refusal.NOT_ENOUGH_POINTS, "costs 100 points, 40 missing")
    ]


@pytest.mark.parametrize(
    ("limits", "local", "expected"),
    [
        ({}, datetime(2026, 12, 31, 23, 30, tzinfo=WARSAW), Buckets(None, None)),
        (
            {"per_member": {"times": 1, "per": "month"}, "total": {"times": 5, "per": "week"}},
            datetime(2026, 12, 31, 23, 30, tzinfo=WARSAW),
            Buckets("2026-12", "2026-W53"),
        ),
        (
            {"per_member": {"times": 1, "per": "ever"}, "total": {"times": 5, "per": "quarter"}},
            datetime(2027, 1, 1, 0, 30, tzinfo=WARSAW),
            Buckets("ever", "2027-Q1"),
        ),
        (
            {"per_member": {"times": 3, "per": "day"}},
            datetime(2026, 3, 1, 9, tzinfo=WARSAW),
            Buckets("2026-03-01", None),
        ),
    ],
)
def test_limit_periods(limits: dict[str, Any], local: datetime, expected: Buckets) -> None:
    assert buckets(reward(limits=limits), local) == expected


@given(
    cost=st.integers(0, 10_000),
    points=st.integers(0, 10_000),
    stock=st.none() | st.integers(0, 100),
    taken=st.integers(0, 100),
    times=st.integers(1, 5),
    used=st.integers(0, 6),
    hours=st.integers(-48, 48),
)
def test_allowed_exactly_when_every_condition_holds(
    cost: int, points: int, stock: int | None, taken: int, times: int, used: int, hours: int
) -> None:
    """An independent statement of the rule: allowed iff every condition holds, and each
    refusal appears exactly when its condition fails."""
    starts = NOW + timedelta(hours=hours)
    candidate = reward(
        points=cost,
        stock=stock,
        limits={"per_member": {"times": times, "per": "ever"}},
        available={"starts": starts.isoformat()},
    )
    decision = decide(candidate, member(points=points), Usage(taken, used, 0), NOW, WARSAW, "app")
    expected = {
        Refusal.NOT_ENOUGH_POINTS: points < cost,
        Refusal.OUT_OF_STOCK: stock is not None and taken >= stock,
        Refusal.MEMBER_LIMIT: used >= times,
        Refusal.NOT_YET_AVAILABLE: starts > NOW,
    }
    assert set(decision.refusals) == {refusal for refusal, fails in expected.items() if fails}
    assert decision.allowed == (not any(expected.values()))


@given(points=st.integers(0, 1000), more=st.integers(1, 1000))
def test_more_points_never_refuse_what_fewer_allowed(points: int, more: int) -> None:
    candidate = reward(points=500)
    fewer = decide(candidate, member(points=points), Usage(), NOW, WARSAW, "app")
    richer = decide(candidate, member(points=points + more), Usage(), NOW, WARSAW, "app")
    assert set(richer.refusals) <= set(fewer.refusals)
