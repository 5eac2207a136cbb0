"""Leaderboards: who leads, shown by nickname only.

Members are ranked by their value (points earned in the period, or progress in
a challenge), highest first; a tie goes to whoever reached the value first.
Members with the same value reached at the same moment share a position.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from loyalo.domain.errors import InvalidNickname

NICKNAME = re.compile(r"^[\w][\w .\-]{0,22}[\w.]$")
GENERATED = re.compile(r"^member\b", re.IGNORECASE)
NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Standing:
    member_id: str
    value: int
    reached_at: datetime | None  # when the member reached ``value``
    nickname: str | None = None


@dataclass(frozen=True, slots=True)
class Ranked:
    position: int
    member_id: str
    display_name: str
    value: int
    reached_at: datetime | None


def display_name(member_id: str, nickname: str | None) -> str:
    """The nickname, or ``Member 4F2A`` from a hash of the id: never a name or an e-mail."""
    if nickname:
        return nickname
    return "Member " + hashlib.sha256(member_id.encode()).hexdigest()[:4].upper()


def clean_nickname(text: str) -> str:
    """2 to 24 letters, digits, spaces, ``.``, ``-``, ``_``; not an e-mail, not ``Member …``."""
    nickname = " ".join(text.split())
    if not NICKNAME.fullmatch(nickname) or GENERATED.match(nickname):
        raise InvalidNickname(
            "a nickname is 2 to 24 letters, digits, spaces, '.', '-' or '_' "
            "and does not start with 'Member'",
            field="nickname",
        )
    return nickname


def rank(standings: Iterable[Standing]) -> list[Ranked]:
    def order(standing: Standing) -> tuple[int, datetime, str]:
        return -standing.value, standing.reached_at or NEVER, standing.member_id

    ranked: list[Ranked] = []
    previous: Standing | None = None
    for index, standing in enumerate(sorted(standings, key=order)):
        same = previous is not None and (previous.value, previous.reached_at) == (
            standing.value,
            standing.reached_at,
        )
        position = ranked[-1].position if same else index + 1
        name = display_name(standing.member_id, standing.nickname)
        ranked.append(
            Ranked(position, standing.member_id, name, standing.value, standing.reached_at)
        )
        previous = standing
    return ranked
