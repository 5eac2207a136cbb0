"""Gamification through the API, end to end, on both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from loyalo.application.audit import verify_ledger
from loyalo.domain.gamification.leaderboard import display_name
from tests.api.helpers import assert_problem, balance, enrol, purchase_body
from tests.conftest import Api
from tests.support.clock import FakeClock

PROGRAMME: dict[str, Any] = {
    "currency": "PLN",
    "earning": {"points": 1, "per": "1.00"},
    "badges": [{"id": "regular", "name": "Regular", "image": "https://example.com/r.png"}],
    "challenges": [
        {
            "id": "two-visits",
            "name": "Two visits a month",
            "goal": {"type": "purchases", "count": 2, "min_amount": "10.00"},
            "period": "month",
            "reward": {"points": 50, "badge": "regular"},
        },
        {
            "id": "big-spender",
            "name": "Spend 500.00 in March",
            "goal": {"type": "spend", "amount": "500.00"},
            "starts": "2026-03-01T00:00:00Z",
            "ends": "2026-04-01T00:00:00Z",
            "reward": {"reward": "free-coffee"},
        },
    ],
    "streaks": {"milestones": [{"weeks": 2, "points": 5}]},
}


def apply(api: Api) -> None:
    response = api.admin.put("/v1/programme", json=PROGRAMME)
    assert response.status_code == 201, response.text


def token(api: Api, member_id: str) -> str:
    response = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={})
    assert response.status_code == 201, response.text
    found: str = response.json()["token"]
    return found


def sale(member_id: str, receipt: str, when: str, amount: str = "30.00") -> dict[str, Any]:
    body = purchase_body(f"id:{member_id}", [("SKU", 1, amount)], receipt=receipt)
    body["occurred_at"] = when
    return body


def post_sale(client: httpx.Client, body: dict[str, Any], key: str) -> httpx.Response:
    return client.post("/v1/purchases", json=body, headers={"Idempotency-Key": key})


def test_a_member_completes_a_challenge_once_through_the_api(api: Api, clock: FakeClock) -> None:
    clock.advance(timedelta(days=9))  # Tuesday 10 March 2026, ISO week 11
    apply(api)
    member_id = enrol(api.admin, email="api-challenge@example.pl")["member_id"]
    app = api.as_member(token(api, member_id))

    running = app.get("/v1/challenges")
    assert running.status_code == 200, running.text
    first = running.json()[0]
    assert (first["id"], first["goal"], first["target"], first["unit"]) == (
        "two-visits",
        "purchases",
        "2",
        "count",
    )
    assert (first["window"], first["deadline"]) == ("2026-03", "2026-04-01T00:00:00Z")
    assert running.json()[1]["target"] == "500.00"
    assert running.json()[1]["unit"] == "PLN"

    assert (
        post_sale(api.pos, sale(member_id, "A1", "2026-03-02T10:00:00Z"), "k1").status_code == 201
    )
    done = post_sale(api.pos, sale(member_id, "A2", "2026-03-09T10:00:00Z"), "k2")
    assert done.status_code == 201, done.text
    gamified = [
        e["kind"] for e in done.json()["effects"] if e["points"] == 0 or e["rule_id"] != "base-rate"
    ]
    assert gamified == [
        "challenge_progress",  # two-visits: 2 of 2
        "challenge_completed",
        "points_earned",  # its 50 points
        "badge_awarded",
        "challenge_progress",  # big-spender: 60.00 of 500.00
        "streak_milestone",  # 2 weeks in a row
        "points_earned",
    ]
    replay = post_sale(api.pos, sale(member_id, "A2", "2026-03-09T10:00:00Z"), "k2")
    assert replay.headers["Idempotent-Replayed"] == "true"
    resent = post_sale(api.pos, sale(member_id, "A2", "2026-03-09T10:00:00Z"), "k3")
    assert resent.status_code == 200, resent.text  # the receipt again: nothing more
    assert balance(api.admin, member_id)["available"] == 60 + 50 + 5  # base, prize, 2-week streak

    mine = {c["id"]: c for c in app.get("/v1/me/challenges").json()}
    assert (mine["two-visits"]["progress"], mine["two-visits"]["completed"]) == ("2", True)
    assert mine["two-visits"]["completed_at"] == "2026-03-09T10:00:00Z"
    assert (mine["big-spender"]["progress"], mine["big-spender"]["completed"]) == ("60.00", False)
    by_pos = api.pos.get(f"/v1/members/id:{member_id}/challenges").json()
    assert {c["id"]: c["progress"] for c in by_pos} == {"two-visits": "2", "big-spender": "60.00"}

    badges = app.get("/v1/me/badges").json()
    assert [(b["id"], b["image"], b["awarded_for"]) for b in badges] == [
        ("regular", "https://example.com/r.png", "challenge")
    ]
    assert api.admin.get(f"/v1/members/id:{member_id}/badges").json() == badges
    streak = api.pos.get(f"/v1/members/id:{member_id}/streak").json()
    assert (streak["current_weeks"], streak["current_since"], streak["next_milestone"]) == (
        2,
        "2026-03-02",
        None,
    )
    assert app.get("/v1/me/streak").json() == streak
    assert verify_ledger(api.container.ctx).ok


def test_leaderboards_by_nickname_with_opt_out(api: Api) -> None:
    apply(api)
    ids = [enrol(api.admin, email=f"board{i}@example.pl")["member_id"] for i in range(3)]
    for index, member_id in enumerate(ids):
        for visit in range(index + 1):
            body = sale(member_id, f"B{index}-{visit}", f"2026-03-0{visit + 2}T09:00:00Z")
            assert post_sale(api.pos, body, f"b{index}{visit}").status_code == 201
    app = api.as_member(token(api, ids[0]))
    named = app.put("/v1/me/gamification", json={"nickname": "Latte Lover"})
    assert named.status_code == 200, named.text
    assert named.json() == {
        "nickname": "Latte Lover",
        "leaderboard": True,
        "display_name": "Latte Lover",
    }
    assert app.get("/v1/me/gamification").json()["nickname"] == "Latte Lover"
    out = api.admin.put(f"/v1/members/id:{ids[2]}/gamification", json={"leaderboard": False})
    assert out.status_code == 200, out.text

    board = app.get("/v1/leaderboards", params={"period": "month", "at": "2026-03-15T00:00:00Z"})
    assert board.status_code == 200, board.text
    body = board.json()
    assert (body["window"], body["unit"]) == ("2026-03", "points")
    assert [(e["position"], e["display_name"], e["value"], e["you"]) for e in body["entries"]] == [
        (1, display_name(ids[1], None), "60", False),
        (2, "Latte Lover", "30", True),
    ]
    assert "board" not in board.text  # no e-mail, no name

    per_challenge = api.pos.get(
        "/v1/challenges/two-visits/leaderboard", params={"at": "2026-03-20T00:00:00"}
    )
    assert per_challenge.status_code == 200, per_challenge.text
    entries = per_challenge.json()["entries"]
    assert [(e["display_name"], e["value"]) for e in entries] == [
        (display_name(ids[1], None), "2"),
        ("Latte Lover", "1"),
    ]
    spend = api.pos.get("/v1/challenges/big-spender/leaderboard").json()
    assert (spend["unit"], spend["entries"][0]["value"]) == ("PLN", "60.00")
    assert_problem(api.pos.get("/v1/challenges/nope/leaderboard"), 404, "challenge-not-found")


def test_who_may_set_a_nickname(api: Api) -> None:
    apply(api)
    alice = enrol(api.admin, email="alice-g@example.pl")["member_id"]
    bob = enrol(api.admin, email="bob-g@example.pl")["member_id"]
    app = api.as_member(token(api, alice))
    assert_problem(
        app.put("/v1/me/gamification", json={"nickname": "a@b.pl"}), 422, "invalid-nickname"
    )
    assert_problem(
        app.put(f"/v1/members/id:{bob}/gamification", json={"nickname": "Bobby"}), 403, "forbidden"
    )
    assert_problem(app.get(f"/v1/members/id:{bob}/badges"), 403, "forbidden")
    assert_problem(
        api.pos.put(f"/v1/members/id:{bob}/gamification", json={"nickname": "Bob"}),
        403,
        "forbidden",
    )
    assert_problem(api.pos.get("/v1/me/challenges"), 403, "forbidden")
    assert_problem(
        api.admin.get("/v1/members/id:00000000-0000-4000-8000-000000000000/streak"),
        404,
        "member-not-found",
    )
