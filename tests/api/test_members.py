"""Members: one person, found by any identifier, with a digital card."""

from __future__ import annotations

from loyalo.domain.members.cards import is_valid_card_number
from tests.api.helpers import assert_problem, enrol
from tests.conftest import Api


def test_enrol_gives_a_luhn_card_and_an_empty_balance(api: Api) -> None:
    member = enrol(api.admin, email="Ann.Kowalska@Example.PL", phone="+48 601 234 567")

    assert is_valid_card_number(member["card"]["number"])
    assert member["email"] == "ann.kowalska@example.pl"
    assert member["phone"] == "+48601234567"
    assert member["balance"] == {"available": 0, "pending": 0, "held": 0, "debt": 0}


def test_a_member_is_found_by_every_identifier(api: Api) -> None:
    member = enrol(api.admin, email="bo@example.pl", phone="+48601234568", external_id="shop-7")
    card = member["card"]["number"]

    for identifier in (
        f"id:{member['member_id']}",
        member["member_id"],
        f"card:{card}",
        card,
        "+48601234568",
        "phone:+48 601 234 568",
        "BO@example.pl",
        "ext:shop-7",
        "shop-7",
    ):
        found = api.pos.get(f"/v1/members/{identifier}")
        assert found.status_code == 200, (identifier, found.text)
        assert found.json()["member_id"] == member["member_id"]


def test_identifiers_are_unique_across_members(api: Api) -> None:
    enrol(api.admin, email="same@example.pl")

    response = api.admin.post("/v1/members", json={"email": "SAME@example.pl"})

    assert_problem(response, 409, "duplicate-identifier")
    assert len(api.admin.get("/v1/members").json()["items"]) == 1


def test_bad_identifiers_are_refused_with_their_own_type(api: Api) -> None:
    assert_problem(api.admin.post("/v1/members", json={"phone": "12"}), 422, "invalid-identifier")
    assert_problem(api.pos.get("/v1/members/card:4111111111111112"), 422, "invalid-identifier")
    assert_problem(api.pos.get("/v1/members/ext:nobody"), 404, "member-not-found")


def test_update_changes_only_what_is_sent(api: Api) -> None:
    member = enrol(api.admin, email="cy@example.pl", first_name="Cy")

    response = api.admin.patch(
        f"/v1/members/id:{member['member_id']}", json={"phone": "+48601234569"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["first_name"] == "Cy"
    assert response.json()["phone"] == "+48601234569"
    assert api.pos.get("/v1/members/+48601234569").json()["member_id"] == member["member_id"]


def test_search_finds_by_part_of_a_name_and_pages(api: Api) -> None:
    for index in range(5):
        enrol(api.admin, first_name=f"Zofia{index}", email=f"z{index}@example.pl")
    enrol(api.admin, first_name="Adam", email="adam@example.pl")

    first = api.admin.get("/v1/members", params={"q": "zofia", "limit": 3}).json()
    second = api.admin.get(
        "/v1/members", params={"q": "zofia", "limit": 3, "after": first["next_after"]}
    ).json()

    names = {m["first_name"] for m in first["items"] + second["items"]}
    assert names == {f"Zofia{i}" for i in range(5)}
    assert second["next_after"] is None


def test_the_card_is_a_qr_code_in_svg_and_png(api: Api) -> None:
    member = enrol(api.admin, email="qr@example.pl")

    svg = api.pos.get(member["card"]["qr_svg_url"])
    png = api.pos.get(member["card"]["qr_png_url"])

    assert svg.status_code == 200
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text.lstrip().startswith("<?xml") or "<svg" in svg.text
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
