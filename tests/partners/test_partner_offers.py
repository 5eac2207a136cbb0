"""A partner's sale earns exactly the partner's rate: none of the programme's own offers
(a paid plan's prices and multiplier, coupon codes) apply at a partner's till, since the
partner pays for every point its sales issue."""

from __future__ import annotations

from tests.api.helpers import assert_problem, enrol
from tests.conftest import Api
from tests.coupons.support import personal
from tests.memberships.support import PROGRAMME, basket_body, paid, payment
from tests.partners.support import add_partner


def test_a_club_members_partner_sale_earns_the_partner_rate_and_no_plan_benefit(
    api: Api,
) -> None:
    assert api.admin.put("/v1/programme", json=PROGRAMME).status_code in (200, 201)
    member = enrol(api.admin, email="ann@example.pl")["member_id"]
    paid(api.admin, member, payment())
    till = add_partner(api, "fuelco", earn="1")
    body = basket_body(member, "2026-03-02T12:00:00Z", "P-1")

    quoted = till.post("/v1/partner/checkout/quote", json=body)
    sale = till.post("/v1/partner/purchases", json=body)

    assert sale.status_code == 201, sale.text
    assert quoted.json()["discounts"] == []
    assert sale.json()["discounts"] == []
    assert sale.json()["to_pay"] == sale.json()["total"]
    assert sale.json()["points_earned"] == 79  # 79.00 at 1 point per 1.00, no x2 of the plan


def test_a_partners_till_refuses_the_programmes_coupon_codes_and_writes_nothing(
    api: Api,
) -> None:
    assert api.admin.put("/v1/programme", json=PROGRAMME).status_code in (200, 201)
    enrolled = enrol(api.admin, email="bob@example.pl")
    with api.container.ctx.uow() as uow:
        member = uow.members.get(enrolled["member_id"])
    assert member is not None
    code = personal(api.container, member).code
    till = add_partner(api, "fuelco", earn="2")
    body = {**basket_body(member.member_id, "2026-03-02T12:00:00Z", "P-2"), "codes": [code]}

    refused = till.post("/v1/partner/purchases", json=body)

    assert_problem(refused, 422, "invalid-input")
    assert till.get("/v1/partner/transactions").json()["items"] == []
    with api.container.ctx.uow() as uow:
        assert api.container.coupons.get(uow, code).uses == 0
