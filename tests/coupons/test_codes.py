"""Code patterns: their entropy, what they refuse, and codes drawn from them."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalo.domain.coupons.codes import (
    ALPHABET,
    draw_code,
    normalise_code,
    parse_pattern,
    require_personal_entropy,
    require_room_for,
)
from loyalo.domain.errors import GuessableCouponCodes, InvalidCouponPattern


@pytest.mark.parametrize(
    ("pattern", "bits", "space"),
    [
        ("SUMMER10", 0, 1),
        ("XMAS-####", 20, 32**4),
        ("XMAS-####-####", 40, 32**8),
        ("####-####-####", 60, 32**12),
        ("xmas-######-######", 60, 32**12),
        ("################", 80, 32**16),
    ],
)
def test_the_entropy_of_a_pattern(pattern: str, bits: int, space: int) -> None:
    parsed = parse_pattern(pattern)
    assert (parsed.bits, parsed.space) == (bits, space)


@pytest.mark.parametrize("pattern", ["", "XMAS_####", "ZŁOTY-####", "A" * 65, "## ##"])
def test_a_pattern_is_letters_digits_dashes_and_slots(pattern: str) -> None:
    with pytest.raises(InvalidCouponPattern):
        parse_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [("###########", True), ("XMAS-####-####", True), ("############", False)],
)
def test_personal_codes_need_60_bits(pattern: str, refused: bool) -> None:
    parsed = parse_pattern(pattern)
    if refused:
        with pytest.raises(GuessableCouponCodes) as raised:
            require_personal_entropy(parsed)
        assert raised.value.extensions["minimum_bits"] == 60
    else:
        require_personal_entropy(parsed)


@pytest.mark.parametrize(
    ("pattern", "count", "refused"),
    [
        ("SUMMER10", 1, False),
        ("SUMMER10", 2, True),
        ("X-##", 1, False),  # 1024 codes: one is fine
        ("X-##", 2, True),
        ("X-####", 1048, False),  # 1 048 576 >= 1048 * 1000
        ("X-####", 1049, True),
    ],
)
def test_a_batch_needs_a_thousand_times_as_many_possible_codes(
    pattern: str, count: int, refused: bool
) -> None:
    parsed = parse_pattern(pattern)
    if refused:
        with pytest.raises(GuessableCouponCodes):
            require_room_for(parsed, count)
    else:
        require_room_for(parsed, count)


def test_a_drawn_code_keeps_the_literals_and_fills_the_slots() -> None:
    code = draw_code(parse_pattern("XMAS-####-####"), random.Random(7))
    assert code[:5] == "XMAS-"
    assert code[9] == "-"
    assert all(c in ALPHABET for c in code[5:9] + code[10:])
    assert code == draw_code(parse_pattern("XMAS-####-####"), random.Random(7))


def test_every_character_of_the_alphabet_is_drawn_about_as_often() -> None:
    pattern = parse_pattern("#" * 16)
    rng = random.Random(1)
    counts = dict.fromkeys(ALPHABET, 0)
    for _ in range(2000):
        for char in draw_code(pattern, rng):
            counts[char] += 1
    expected = 2000 * 16 / 32
    assert all(abs(n - expected) < expected * 0.15 for n in counts.values())
    assert not set("ILOU") & set(ALPHABET)


@given(st.integers(min_value=0, max_value=2**60 - 1))
def test_each_60_bit_value_is_a_different_code(value: int) -> None:
    class Fixed:
        def getrandbits(self, k: int, /) -> int:
            assert k == 60
            return value

    code = draw_code(parse_pattern("####-####-####"), Fixed()).replace("-", "")
    decoded = sum(ALPHABET.index(c) << (5 * i) for i, c in enumerate(code))
    assert decoded == value


def test_a_typed_code_is_normalised() -> None:
    assert normalise_code(" xmas-ab12 cd ") == "XMAS-AB12CD"
