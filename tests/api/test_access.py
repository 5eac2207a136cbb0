"""Who may do what: roles, and a member never sees another member."""

from __future__ import annotations

from tests.api.helpers import assert_problem, buy, enrol
from tests.conftest import Api


def _token(api: Api, member_id: str) -> str:
    response = api.admin.post(f"/v1/members/id:{member_id}/tokens", json={})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def test_no_or_bad_key_is_401(api: Api) -> None:
    anonymous = api.anonymous()
    response = anonymous.get("/v1/members")
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    forged = anonymous.get("/v1/members", headers={"Authorization": "Bearer lyk_abc_def"})
    assert_problem(forged, 401, "unauthenticated")


def test_a_pos_key_never_reaches_admin_calls(api: Api) -> None:
    member = enrol(api.admin, email="pos@example.pl")

    adjustment = api.pos.post(
        f"/v1/members/id:{member['member_id']}/adjustments",
        json={"points": 1000, "reason": "free points"},
    )

    assert_problem(adjustment, 403, "forbidden")
    assert_problem(api.pos.get("/v1/members"), 403, "forbidden")
    assert_problem(api.pos.post("/v1/members", json={"email": "x@example.pl"}), 403, "forbidden")
    assert_problem(
        api.pos.post("/v1/api-keys", json={"name": "mine", "role": "admin"}), 403, "forbidden"
    )
    assert_problem(
        api.pos.post(f"/v1/members/id:{member['member_id']}/tokens", json={}), 403, "forbidden"
    )
    assert (
        api.pos.get(f"/v1/members/id:{member['member_id']}/balance").json()["balance"]["available"]
        == 0
    )


def test_a_member_token_reads_its_own_member_only(api: Api) -> None:
    alice = enrol(api.admin, email="alice@example.pl")
    bob = enrol(api.admin, email="bob@example.pl")
    buy(api.pos, bob["member_id"], "77.00")
    client = api.as_member(_token(api, alice["member_id"]))

    assert client.get("/v1/me").json()["member_id"] == alice["member_id"]
    assert client.get("/v1/me/balance").json()["balance"]["available"] == 0
    assert client.get(f"/v1/members/id:{alice['member_id']}/balance").status_code == 200
    for path in (
        f"/v1/members/id:{bob['member_id']}/balance",
        f"/v1/members/id:{bob['member_id']}/ledger",
        f"/v1/members/id:{bob['member_id']}",
        f"/v1/members/{bob['card']['number']}/card.svg",
    ):
        assert_problem(client.get(path), 403, "forbidden")
    assert_problem(client.post("/v1/purchases", json={}), 422, "validation-error")


def test_an_app_key_without_a_member_token_sees_nothing(api: Api) -> None:
    member = enrol(api.admin, email="lonely@example.pl")
    client = api.anonymous()
    client.headers["Authorization"] = f"Bearer {api.app_key}"

    assert_problem(client.get(f"/v1/members/id:{member['member_id']}/balance"), 403, "forbidden")
    assert_problem(client.get("/v1/me"), 403, "forbidden")
    bad_token = client.get("/v1/me", headers={"X-Member-Token": "lym_nope_nope"})
    assert_problem(bad_token, 401, "unauthenticated")


def test_an_app_member_cannot_write_purchases(api: Api) -> None:
    member = enrol(api.admin, email="writer@example.pl")
    client = api.as_member(_token(api, member["member_id"]))
    body = {
        "member": member["member_id"],
        "channel": "app",
        "store_id": "app",
        "receipt_id": "r",
        "occurred_at": "2026-01-01T00:00:00Z",
        "currency": "PLN",
        "lines": [{"sku": "A", "quantity": 1, "unit_price": "10.00"}],
        "total": "10.00",
    }
    assert_problem(client.post("/v1/purchases", json=body), 403, "forbidden")


def test_admin_creates_keys_over_the_api(api: Api) -> None:
    created = api.admin.post("/v1/api-keys", json={"name": "Till 2", "role": "pos"})

    assert created.status_code == 201
    key = created.json()["key"]
    client = api.anonymous()
    response = client.get("/v1/members/ext:none", headers={"Authorization": f"Bearer {key}"})
    assert_problem(response, 404, "member-not-found")


def test_a_revoked_key_is_refused_at_once_and_listed_as_revoked(api: Api) -> None:
    created = api.admin.post("/v1/api-keys", json={"name": "Till 3", "role": "pos"}).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    client = api.anonymous()
    assert client.get("/v1/programme", headers=headers).status_code == 200  # cached as valid

    revoked = api.admin.post(f"/v1/api-keys/{created['key_id']}/revoke")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_problem(client.get("/v1/programme", headers=headers), 401, "unauthenticated")
    listed = {k["key_id"]: k for k in api.admin.get("/v1/api-keys").json()}
    assert listed[created["key_id"]]["revoked_at"] == revoked.json()["revoked_at"]
    assert "key" not in listed[created["key_id"]]
    assert "secret_hash" not in listed[created["key_id"]]
    again = api.admin.post(f"/v1/api-keys/{created['key_id']}/revoke")
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]  # the first time stands


def test_only_an_admin_revokes_and_never_its_own_key(api: Api) -> None:
    created = api.admin.post("/v1/api-keys", json={"name": "Till 4", "role": "pos"}).json()
    assert_problem(api.pos.post(f"/v1/api-keys/{created['key_id']}/revoke"), 403, "forbidden")
    assert_problem(api.pos.get("/v1/api-keys"), 403, "forbidden")
    assert_problem(api.admin.post("/v1/api-keys/nosuchkey/revoke"), 404, "api-key-not-found")
    own = next(
        k["key_id"] for k in api.admin.get("/v1/api-keys").json() if k["name"] == "test admin"
    )
    assert_problem(api.admin.post(f"/v1/api-keys/{own}/revoke"), 422, "invalid-input")
    assert api.admin.get("/v1/api-keys").status_code == 200  # still in
