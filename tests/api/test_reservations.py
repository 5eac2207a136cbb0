"""Two-phase spending at the till: each hold resolves exactly once."""

from __future__ import annotations

from datetime import timedelta

from loyalo.application.jobs import run_due
from tests.api.helpers import assert_problem, balance, buy, enrol
from tests.conftest import Api
from tests.support.clock import FakeClock


def _member_with(api: Api, points: int, email: str) -> str:
    member = enrol(api.admin, email=email)
    buy(api.pos, member["member_id"], f"{points}.00")
    return str(member["member_id"])


def test_reserve_then_commit_spends_the_points(api: Api) -> None:
    member = _member_with(api, 300, "commit@example.pl")

    hold = api.pos.post("/v1/reservations", json={"member": member, "amount": "12.50"})
    assert hold.status_code == 201, hold.text
    held = hold.json()
    assert held["points"] == 125  # 100 points pay 10.00 PLN
    assert held["value"] == {"amount": "12.50", "currency": "PLN"}
    assert held["balance"] == {"available": 175, "pending": 0, "held": 125, "debt": 0}

    committed = api.pos.post(f"/v1/reservations/{held['reservation_id']}/commit")

    assert committed.status_code == 200, committed.text
    assert committed.json()["status"] == "committed"
    assert committed.json()["committed_points"] == 125
    assert balance(api.pos, member) == {"available": 175, "pending": 0, "held": 0, "debt": 0}


def test_a_partial_commit_returns_the_rest(api: Api) -> None:
    member = _member_with(api, 100, "partial@example.pl")
    hold = api.pos.post("/v1/reservations", json={"member": member, "points": 80}).json()

    committed = api.pos.post(
        f"/v1/reservations/{hold['reservation_id']}/commit", json={"points": 30}
    ).json()

    assert committed["committed_points"] == 30
    assert committed["value"]["amount"] == "3.00"
    assert balance(api.pos, member) == {"available": 70, "pending": 0, "held": 0, "debt": 0}
    too_much = api.pos.post("/v1/reservations", json={"member": member, "points": 71})
    assert_problem(too_much, 409, "insufficient-points")


def test_reserve_then_release_gives_everything_back(api: Api) -> None:
    member = _member_with(api, 50, "release@example.pl")
    hold = api.pos.post("/v1/reservations", json={"member": member, "points": 50}).json()
    assert balance(api.pos, member)["available"] == 0

    released = api.pos.post(f"/v1/reservations/{hold['reservation_id']}/release")

    assert released.json()["status"] == "released"
    assert balance(api.pos, member) == {"available": 50, "pending": 0, "held": 0, "debt": 0}


def test_held_points_are_not_available_to_anything_else(api: Api) -> None:
    member = _member_with(api, 100, "held@example.pl")
    api.pos.post("/v1/reservations", json={"member": member, "points": 60})

    second = api.pos.post("/v1/reservations", json={"member": member, "points": 41})
    removal = api.admin.post(
        f"/v1/members/id:{member}/adjustments", json={"points": -41, "reason": "test removal"}
    )

    body = assert_problem(second, 409, "insufficient-points")
    assert body["available"] == 40
    assert_problem(removal, 409, "insufficient-points")
    assert balance(api.pos, member) == {"available": 40, "pending": 0, "held": 60, "debt": 0}


def test_a_hold_resolves_once(api: Api) -> None:
    member = _member_with(api, 100, "once@example.pl")
    hold = api.pos.post("/v1/reservations", json={"member": member, "points": 40}).json()
    url = f"/v1/reservations/{hold['reservation_id']}"
    api.pos.post(f"{url}/commit")

    again = api.pos.post(f"{url}/commit")
    release = api.pos.post(f"{url}/release")

    assert_problem(again, 409, "reservation-already-resolved")
    assert_problem(release, 409, "reservation-already-resolved")
    assert balance(api.pos, member) == {"available": 60, "pending": 0, "held": 0, "debt": 0}


def test_an_expired_hold_releases_itself(api: Api, clock: FakeClock) -> None:
    member = _member_with(api, 100, "expire@example.pl")
    hold = api.pos.post(
        "/v1/reservations", json={"member": member, "points": 70, "ttl_seconds": 60}
    ).json()

    clock.advance(timedelta(seconds=61))
    report = run_due(api.container.ctx)

    assert report.members_settled == 1
    assert balance(api.pos, member) == {"available": 100, "pending": 0, "held": 0, "debt": 0}
    late_commit = api.pos.post(f"/v1/reservations/{hold['reservation_id']}/commit")
    body = assert_problem(late_commit, 409, "reservation-already-resolved")
    assert body["state"] == "expired"
    assert run_due(api.container.ctx).entries_written == 0  # idempotent


def test_an_expired_hold_is_settled_by_the_next_write_even_without_the_job(
    api: Api, clock: FakeClock
) -> None:
    member = _member_with(api, 100, "lazy@example.pl")
    hold = api.pos.post(
        "/v1/reservations", json={"member": member, "points": 100, "ttl_seconds": 30}
    ).json()
    clock.advance(timedelta(minutes=1))

    commit = api.pos.post(f"/v1/reservations/{hold['reservation_id']}/commit")
    new_hold = api.pos.post("/v1/reservations", json={"member": member, "points": 100})

    assert_problem(commit, 409, "reservation-already-resolved")
    assert new_hold.status_code == 201, new_hold.text
    status = api.pos.get(f"/v1/reservations/{hold['reservation_id']}").json()["status"]
    assert status == "expired"


def test_reservation_input_is_checked(api: Api) -> None:
    member = _member_with(api, 10, "input@example.pl")
    both = api.pos.post("/v1/reservations", json={"member": member, "points": 1, "amount": "1.00"})
    neither = api.pos.post("/v1/reservations", json={"member": member})
    too_small = api.pos.post("/v1/reservations", json={"member": member, "amount": "0.05"})

    assert_problem(both, 422, "invalid-input")
    assert_problem(neither, 422, "invalid-input")
    assert_problem(too_small, 422, "invalid-input")
    assert_problem(api.pos.post("/v1/reservations/nope/commit"), 404, "reservation-not-found")
