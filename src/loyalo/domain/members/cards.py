"""Card numbers: a programme prefix, random digits and a Luhn check digit."""

from __future__ import annotations

import secrets


def luhn_check_digit(payload: str) -> str:
    """The digit that makes ``payload + digit`` pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # every second digit from the right, counting the missing check digit
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_card_number(number: str) -> bool:
    return number.isdigit() and len(number) >= 8 and luhn_check_digit(number[:-1]) == number[-1]


def new_card_number(prefix: str, length: int = 16) -> str:
    if not prefix.isdigit() or len(prefix) >= length - 1:
        raise ValueError("the prefix must be digits, shorter than the card")
    body = prefix + "".join(secrets.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn_check_digit(body)
