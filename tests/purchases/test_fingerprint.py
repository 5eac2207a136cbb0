"""A receipt's fingerprint must not change between releases: stored ones are compared."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from loyalo.application.fingerprint import fingerprint
from loyalo.application.purchases import PurchaseCommand, _content_fingerprint
from loyalo.domain.purchases.basket import Line

lines = st.builds(
    Line,
    sku=st.text(min_size=1, max_size=8),
    quantity=st.integers(1, 99),
    unit_price_minor=st.integers(0, 10**7),
    discount_minor=st.integers(0, 100),
    name=st.none() | st.text(max_size=10),
    category=st.none() | st.text(max_size=5),
    labels=st.lists(st.text(max_size=4), max_size=3).map(tuple),
    delivery=st.booleans(),
)


@given(st.lists(lines, min_size=1, max_size=30), st.text(max_size=10))
def test_the_fingerprint_is_the_hash_of_the_command_as_a_dict(
    basket: list[Line], member_id: str
) -> None:
    command = PurchaseCommand(
        "card:123", "s1", "R-1", "pos", datetime(2026, 11, 22, tzinfo=UTC), "PLN", 1, tuple(basket)
    )
    document = asdict(command)  # what the first release hashed
    del document["codes"]  # coupon codes came later: a receipt without any hashes as before
    document["member"] = member_id
    assert _content_fingerprint(command, member_id) == fingerprint(document)


def test_coupon_codes_are_part_of_the_fingerprint_as_stored() -> None:
    at = datetime(2026, 11, 22, tzinfo=UTC)
    plain = PurchaseCommand("card:1", "s1", "R-1", "pos", at, "PLN", 100, (Line("A", 1, 100),))
    typed = replace(plain, codes=(" ab12-cd ",))
    stored = replace(plain, codes=("AB12-CD",))
    assert _content_fingerprint(typed, "m") == _content_fingerprint(stored, "m")
    assert _content_fingerprint(typed, "m") != _content_fingerprint(plain, "m")
