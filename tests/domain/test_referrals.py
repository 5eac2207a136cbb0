"""Referral rules as tables: codes, self-referral, the cap's period, who gets what when."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalo.domain.programme.document import ProgrammeDocument
from loyalo.domain.programme.document.base import Period
from loyalo.domain.programme.document.referrals import ReferralCap, ReferralPolicy
from loyalo.domain.referrals.codes import (
    ALPHABET,
    LENGTH,
    new_referral_code,
    normalize_referral_code,
    referral_link,
)
from loyalo.domain.referrals.decisions import (
    Decision,
    ReferralStatus,
    RefusalReason,
    Side,
    at_join,
    at_purchase,
    shown_status,
)
from loyalo.domain.referrals.guards import (
    Identity,
    cap_reached,
    mailbox,
    period_start,
    self_referral,
)

ADVOCATE = Identity(
    "a", email="ann.nowak@example.pl", phone="+48601234567", card="4000001234567899"
)
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize(
    ("friend", "matched"),
    [
        (Identity("a"), "member"),
        (Identity("f", email="ann.nowak@example.pl"), "email"),
        (Identity("f", email="  Ann.Nowak@EXAMPLE.pl "), "email"),
        (Identity("f", email="ANN.NOWAK@example.PL"), "email"),
        (Identity("f", email="ann.nowak+shop@example.pl"), "email"),
        (Identity("f", email="ann.nowak@example.pl.evil.com"), None),
        (Identity(None, email="ann.nowak@example.pl"), "email"),  # not enrolled yet
        (Identity(None), None),
        (Identity("f", phone="+48 601 234 567"), "phone"),
        (Identity("f", phone="+48-601-234-567"), "phone"),
        (Identity("f", phone="+48 (601) 234 567"), "phone"),
        (Identity("f", phone="+48601234567"), "phone"),
        (Identity("f", card="4000 0012 3456 7899"), "card"),
        (Identity("f", card="4000-0012-3456-7899"), "card"),
        (Identity("f", email="other@example.pl", phone="+48 601 234 567"), "phone"),
        (Identity("f", email="other@example.pl"), None),
        (Identity("f", email="ann.nowak@example.com"), None),
        (Identity("f", phone="+48601234568"), None),
        (Identity("f", phone="+44 20 7946 0958"), None),
        (Identity("f", card="4000001234567881"), None),
        (Identity("f"), None),
        (Identity("f", email="", phone=" "), None),
    ],
)
def test_self_referral_by_any_shared_identifier(friend: Identity, matched: str | None) -> None:
    assert self_referral(ADVOCATE, friend) == matched


def test_an_advocate_without_e_mail_does_not_match_a_friend_without_one() -> None:
    assert self_referral(Identity("a"), Identity("f")) is None


@pytest.mark.parametrize(
    ("email", "box"),
    [
        ("Ann.Nowak@gmail.com", "annnowak@gmail.com"),
        ("a.n.n.nowak+shop+x@googlemail.com", "annnowak@gmail.com"),
        ("ann.nowak+shop@example.pl", "ann.nowak@example.pl"),  # dots matter elsewhere
        ("ANN@EXAMPLE.PL", "ann@example.pl"),
    ],
)
def test_an_address_compares_by_the_mailbox_it_delivers_to(email: str, box: str) -> None:
    assert mailbox(email) == box


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("7K3M9QXD", "7K3M9QXD"),
        ("7k3m9qxd", "7K3M9QXD"),
        (" 7K3M-9QXD ", "7K3M9QXD"),
        ("7K3M 9QXD", "7K3M9QXD"),
        ("O0IL1234", "00111234"),  # O reads as 0, I and L as 1
        ("7K3M9QX", None),  # too short
        ("7K3M9QXDD", None),  # too long
        ("7K3M9QXU", None),  # U is not in the alphabet
        ("7K3M9QX!", None),
        ("", None),
    ],
)
def test_a_typed_code_reads_as_the_code_meant(typed: str, code: str | None) -> None:
    assert normalize_referral_code(typed) == code


@given(st.randoms(use_true_random=False))
def test_a_new_code_is_eight_unambiguous_characters_that_read_back_as_themselves(
    rng: Any,
) -> None:
    code = new_referral_code(rng.choice)
    assert len(code) == LENGTH
    assert set(code) <= set(ALPHABET)
    assert not set(code) & set("ILOU")
    assert normalize_referral_code(code) == code
    assert normalize_referral_code(code.lower()) == code


def test_the_link_puts_the_code_in_the_template() -> None:
    assert referral_link("https://shop.example/join?ref={code}", "7K3M9QXD") == (
        "https://shop.example/join?ref=7K3M9QXD"
    )
    assert referral_link(None, "7K3M9QXD") is None


@pytest.mark.parametrize(
    ("per", "now", "start"),
    [
        (
            Period.DAY,
            datetime(2026, 3, 10, 23, 30, tzinfo=UTC),
            datetime(2026, 3, 11, tzinfo=WARSAW),
        ),
        (Period.WEEK, datetime(2026, 3, 12, 9, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=WARSAW)),
        (
            Period.MONTH,
            datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
            datetime(2026, 4, 1, tzinfo=WARSAW),
        ),
        (
            Period.MONTH,
            datetime(2026, 3, 31, 21, 30, tzinfo=UTC),
            datetime(2026, 3, 1, tzinfo=WARSAW),
        ),
        (Period.QUARTER, datetime(2026, 5, 20, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=WARSAW)),
        (Period.YEAR, datetime(2026, 5, 20, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=WARSAW)),
        (Period.EVER, datetime(2026, 5, 20, tzinfo=UTC), None),
    ],
)
def test_the_cap_period_starts_in_the_programme_time_zone(
    per: Period, now: datetime, start: datetime | None
) -> None:
    assert period_start(per, now, WARSAW) == start


def test_the_month_start_keeps_its_offset_across_a_dst_change() -> None:
    # 30 March 2026 is summer time (+02:00); 1 March was winter time (+01:00)
    start = period_start(Period.MONTH, datetime(2026, 3, 30, 12, tzinfo=UTC), WARSAW)
    assert start is not None
    assert start.astimezone(UTC) == datetime(2026, 2, 28, 23, tzinfo=UTC)


@pytest.mark.parametrize(
    ("times", "rewarded", "reached"), [(3, 0, False), (3, 2, False), (3, 3, True), (3, 4, True)]
)
def test_the_cap_is_reached_at_its_number(times: int, rewarded: int, reached: bool) -> None:
    assert cap_reached(ReferralCap(times=times, per=Period.MONTH), rewarded) is reached
    assert cap_reached(None, rewarded) is False


def policy(**fields: Any) -> ReferralPolicy:
    return ReferralPolicy.model_validate(fields)


JOIN = {"join": {"advocate": 30, "friend": 20}}
FIRST = {"first_purchase": {"advocate": 100, "friend": 10, "min_amount": "50.00"}}
CAP = {"cap": {"times": 2, "per": "month"}}

P, Q, R = ReferralStatus.PENDING, ReferralStatus.QUALIFIED, ReferralStatus.REFUSED
A, F = Side.ADVOCATE, Side.FRIEND


@pytest.mark.parametrize(
    ("document", "rewarded", "decision"),
    [
        (None, 0, Decision(R, RefusalReason.DISABLED)),
        ({**JOIN, "enabled": False}, 0, Decision(R, RefusalReason.DISABLED)),
        (JOIN, 0, Decision(Q, rewards=((A, 30), (F, 20)))),
        ({"join": {"friend": 20}}, 0, Decision(Q, rewards=((F, 20),))),
        (FIRST, 0, Decision(P)),
        (FIRST | CAP, 5, Decision(P)),  # the cap waits for the purchase that rewards
        (JOIN | FIRST, 0, Decision(P, rewards=((A, 30), (F, 20)))),
        (JOIN | CAP, 1, Decision(Q, rewards=((A, 30), (F, 20)))),
        (JOIN | CAP, 2, Decision(R, RefusalReason.CAP_REACHED)),
        (JOIN | FIRST | CAP, 2, Decision(R, RefusalReason.CAP_REACHED)),
    ],
)
def test_at_join(document: dict[str, Any] | None, rewarded: int, decision: Decision) -> None:
    assert at_join(policy(**document) if document else None, rewarded) == decision


@pytest.mark.parametrize(
    ("document", "total_minor", "counted", "rewarded", "decision"),
    [
        (FIRST, 5000, False, 0, Decision(Q, rewards=((A, 100), (F, 10)))),
        (FIRST, 4999, False, 0, None),  # below the minimum: the next purchase may qualify
        (JOIN, 9000, False, 0, None),  # no first-purchase step
        ({**FIRST, "enabled": False}, 9000, False, 0, None),
        (FIRST | CAP, 5000, False, 1, Decision(Q, rewards=((A, 100), (F, 10)))),
        (FIRST | CAP, 5000, False, 2, Decision(R, RefusalReason.CAP_REACHED)),
        # rewarded at join already: it counted then, and is not refused now
        (JOIN | FIRST | CAP, 5000, True, 2, Decision(Q, rewards=((A, 100), (F, 10)))),
    ],
)
def test_at_purchase(
    document: dict[str, Any],
    total_minor: int,
    counted: bool,
    rewarded: int,
    decision: Decision | None,
) -> None:
    assert (
        at_purchase(
            policy(**document),
            total_minor,
            2,
            already_counted=counted,
            rewarded_in_period=rewarded,
        )
        == decision
    )


def test_a_qualified_referral_shows_rewarded_once_every_reward_is_available() -> None:
    now = datetime(2026, 3, 15, tzinfo=UTC)
    earlier, later = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 20, tzinfo=UTC)
    assert shown_status(Q, [earlier, earlier], now) is ReferralStatus.REWARDED
    assert shown_status(Q, [earlier, later], now) is Q
    assert shown_status(Q, [now], now) is ReferralStatus.REWARDED
    assert shown_status(P, [earlier], now) is P
    assert shown_status(ReferralStatus.REVERSED, [], now) is ReferralStatus.REVERSED


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({}, "give join, first_purchase or both"),
        ({"join": {"friend": 5}, "link": "https://shop.example/join"}, "must contain {code}"),
        ({"join": {"friend": -1}}, "greater than or equal to 0"),
        ({"join": {"friend": 5}, "cap": {"times": 0}}, "greater than or equal to 1"),
        ({"first_purchase": {"advocate": 5, "min_amount": "-1"}}, "greater than or equal to 0"),
    ],
)
def test_an_invalid_section_is_refused(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ProgrammeDocument.model_validate({"referrals": section})


@pytest.mark.parametrize(
    ("pending_days", "section", "hold"),
    [
        (14, FIRST, 14),  # no hold of its own: the programme's return window
        (0, {**FIRST, "hold_days": 14}, 14),  # points spendable at once, referrals wait
        (14, {**FIRST, "hold_days": 30}, 30),  # longer than the window
        (30, {**FIRST, "hold_days": 14}, 30),  # never shorter than the purchase's points wait
        (14, {**JOIN, "hold_days": 1}, 14),
        (0, {**JOIN, "hold_days": 1}, 1),
        (0, JOIN, 0),  # nothing to return at enrolment: join rewards may be spendable at once
        (0, {"first_purchase": {"advocate": 0, "friend": 0}, **JOIN}, 0),  # rewards nobody
    ],
)
def test_the_referral_hold(pending_days: int, section: dict[str, Any], hold: int) -> None:
    document = ProgrammeDocument.model_validate(
        {"pending_days": pending_days, "referrals": section}
    )
    assert document.referrals is not None
    assert document.referrals.hold(document.pending_days) == hold


@pytest.mark.parametrize(
    ("pending_days", "section", "message"),
    [
        (0, FIRST, "first_purchase rewards must wait for the friend's return window"),
        (0, {**FIRST, **JOIN, "enabled": False}, "must wait for the friend's return window"),
        (14, {**FIRST, "hold_days": 0}, "greater than or equal to 1"),
        (14, {**FIRST, "hold_days": 366}, "less than or equal to 365"),
    ],
)
def test_a_hold_that_would_let_first_purchase_rewards_be_spent_at_once_is_refused(
    pending_days: int, section: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        ProgrammeDocument.model_validate({"pending_days": pending_days, "referrals": section})


def test_the_trigger_follows_the_steps_given() -> None:
    assert policy(**JOIN).trigger == "join"
    assert policy(**FIRST).trigger == "first_purchase"
    assert policy(**JOIN, **FIRST).trigger == "both"
    step = policy(**FIRST).first_purchase
    assert step is not None
    assert step.min_amount == Decimal("50.00")


rewards = st.fixed_dictionaries({"advocate": st.integers(0, 500), "friend": st.integers(0, 500)})
policies = st.builds(
    lambda join, first, minimum, cap, enabled: ReferralPolicy.model_validate(
        {
            "enabled": enabled,
            "join": join,
            "first_purchase": None if first is None else {**first, "min_amount": minimum},
            "cap": None if cap is None else {"times": cap, "per": "month"},
        }
    ),
    st.none() | rewards,
    rewards,  # always a first-purchase step, so the section is valid
    st.decimals(0, 500, places=2),
    st.none() | st.integers(1, 5),
    st.booleans(),
)


@given(policies, st.integers(0, 8))
def test_a_join_rewards_only_under_the_cap_and_never_with_zero_points(
    section: ReferralPolicy, rewarded: int
) -> None:
    decision = at_join(section, rewarded)
    assert all(points > 0 for _, points in decision.rewards)
    if decision.rewards:
        assert section.enabled
        assert section.join is not None
        assert not cap_reached(section.cap, rewarded)
        given = {Side.ADVOCATE: section.join.advocate, Side.FRIEND: section.join.friend}
        assert dict(decision.rewards) == {s: p for s, p in given.items() if p}
    assert (decision.status is R) == (decision.reason is not None)


@given(policies, st.integers(0, 100_000), st.booleans(), st.integers(0, 8))
def test_a_purchase_qualifies_at_the_minimum_and_is_refused_only_by_the_cap(
    section: ReferralPolicy, total_minor: int, counted: bool, rewarded: int
) -> None:
    decision = at_purchase(
        section, total_minor, 2, already_counted=counted, rewarded_in_period=rewarded
    )
    step = section.first_purchase
    assert step is not None
    if not section.enabled or total_minor < step.min_amount * 100:
        assert decision is None
    elif not counted and cap_reached(section.cap, rewarded):
        assert decision == Decision(R, RefusalReason.CAP_REACHED)
    else:
        assert decision is not None
        assert decision.status is Q
        assert sum(points for _, points in decision.rewards) == step.advocate + step.friend
