"""Challenges, badges, streaks and leaderboards; a member's nickname and opt-out.

Admin and pos keys read any member; an app key only the member its token names.
Leaderboards show nicknames (or ``Member 4F2A``), never names or e-mails.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from loyalo.adapters.http.schemas.gamification import (
    COUNT_UNIT,
    BadgeOut,
    ChallengeOut,
    LeaderboardOut,
    MemberChallengeOut,
    ProfileIn,
    ProfileOut,
    StreakOut,
)
from loyalo.adapters.http.security import CallerDep, ServicesDep
from loyalo.adapters.http.services import HttpServices
from loyalo.adapters.http.writes import run_write
from loyalo.application.gamification.service import BoardPeriod
from loyalo.application.members import resolve
from loyalo.application.ports import UnitOfWork
from loyalo.domain.access.roles import Capability, Principal
from loyalo.domain.errors import Forbidden

router = APIRouter(tags=["gamification"])

T = TypeVar("T")
At = Annotated[
    datetime | None,
    Query(description="A moment in the period or window (default: now); no offset: programme time"),
]
Limit = Annotated[int, Query(ge=1, le=100)]


def _currency(svc: HttpServices, uow: UnitOfWork) -> str:
    return svc.ctx.programmes.compiled(uow).document.currency


def _for_member(
    svc: HttpServices, caller: Principal, member: str, read: Callable[[UnitOfWork, str], T]
) -> T:
    caller.require(Capability.GAMIFICATION_READ)
    with svc.ctx.uow() as uow:
        found = resolve(uow, member)
        caller.require_member(Capability.GAMIFICATION_READ, found.member_id)
        return read(uow, found.member_id)


def _own(caller: Principal) -> str:
    if caller.member_id is None:
        raise Forbidden("/v1/me needs an app key with an X-Member-Token")
    return f"id:{caller.member_id}"


@router.get(
    "/v1/challenges",
    response_model=list[ChallengeOut],
    summary="The challenges running now, with their goal, deadline and reward",
)
def challenges(svc: ServicesDep, caller: CallerDep) -> list[ChallengeOut]:
    caller.require(Capability.GAMIFICATION_READ)
    with svc.ctx.uow() as uow:
        currency = _currency(svc, uow)
        return [ChallengeOut.of(running, currency) for running in svc.gamification.running(uow)]


@router.get(
    "/v1/challenges/{challenge_id}/leaderboard",
    response_model=LeaderboardOut,
    summary="A challenge's leaderboard: progress, then who got there first",
)
def challenge_leaderboard(
    challenge_id: str, svc: ServicesDep, caller: CallerDep, at: At = None, limit: Limit = 10
) -> LeaderboardOut:
    caller.require(Capability.GAMIFICATION_READ)
    with svc.ctx.uow() as uow:
        board = svc.gamification.challenge_board(uow, challenge_id, at, limit)
        currency = _currency(svc, uow)
    unit = currency if board.money else COUNT_UNIT
    return LeaderboardOut.of(board, unit, caller.member_id, currency if board.money else None)


@router.get(
    "/v1/leaderboards",
    response_model=LeaderboardOut,
    summary="Points earned from purchases and events in a week or a month, best first",
)
def leaderboard(
    svc: ServicesDep,
    caller: CallerDep,
    period: BoardPeriod = BoardPeriod.MONTH,
    at: At = None,
    limit: Limit = 10,
) -> LeaderboardOut:
    caller.require(Capability.GAMIFICATION_READ)
    with svc.ctx.uow() as uow:
        board = svc.gamification.points_board(uow, period, at, limit)
    return LeaderboardOut.of(board, "points", caller.member_id)


def challenges_of(svc: HttpServices, caller: Principal, member: str) -> list[MemberChallengeOut]:
    def read(uow: UnitOfWork, member_id: str) -> list[MemberChallengeOut]:
        currency = _currency(svc, uow)
        return [
            MemberChallengeOut.of_member(found, currency)
            for found in svc.gamification.of_member(uow, member_id)
        ]

    return _for_member(svc, caller, member, read)


def badges_of(svc: HttpServices, caller: Principal, member: str) -> list[BadgeOut]:
    def read(uow: UnitOfWork, member_id: str) -> list[BadgeOut]:
        return [BadgeOut.of(held) for held in svc.gamification.badges(uow, member_id)]

    return _for_member(svc, caller, member, read)


def streak_of(svc: HttpServices, caller: Principal, member: str) -> StreakOut:
    def read(uow: UnitOfWork, member_id: str) -> StreakOut:
        return StreakOut.of(svc.gamification.streak(uow, member_id))

    return _for_member(svc, caller, member, read)


def profile_of(svc: HttpServices, caller: Principal, member: str) -> ProfileOut:
    def read(uow: UnitOfWork, member_id: str) -> ProfileOut:
        return ProfileOut.of(svc.gamification.profile(uow, member_id))

    return _for_member(svc, caller, member, read)


def put_profile(
    request: Request, svc: HttpServices, caller: Principal, member: str, body: ProfileIn
) -> JSONResponse:
    caller.require(Capability.GAMIFICATION_WRITE)

    def action(uow: UnitOfWork) -> tuple[int, ProfileOut]:
        found = resolve(uow, member)
        caller.require_member(Capability.GAMIFICATION_WRITE, found.member_id)
        profile = svc.gamification.set_profile(
            uow, found.member_id, body.nickname, body.leaderboard
        )
        return 200, ProfileOut.of(profile)

    return run_write(request, svc, caller, body, action)


@router.get(
    "/v1/members/{member}/challenges",
    response_model=list[MemberChallengeOut],
    summary="A member's progress in every running challenge",
)
def member_challenges(member: str, svc: ServicesDep, caller: CallerDep) -> list[MemberChallengeOut]:
    return challenges_of(svc, caller, member)


@router.get(
    "/v1/members/{member}/badges", response_model=list[BadgeOut], summary="A member's badges"
)
def member_badges(member: str, svc: ServicesDep, caller: CallerDep) -> list[BadgeOut]:
    return badges_of(svc, caller, member)


@router.get(
    "/v1/members/{member}/streak",
    response_model=StreakOut,
    summary="A member's streak: weeks in a row with a purchase",
)
def member_streak(member: str, svc: ServicesDep, caller: CallerDep) -> StreakOut:
    return streak_of(svc, caller, member)


@router.get(
    "/v1/members/{member}/gamification",
    response_model=ProfileOut,
    summary="A member's leaderboard nickname and opt-out",
)
def member_profile(member: str, svc: ServicesDep, caller: CallerDep) -> ProfileOut:
    return profile_of(svc, caller, member)


@router.put(
    "/v1/members/{member}/gamification",
    response_model=ProfileOut,
    summary="Set a member's leaderboard nickname and opt-out",
)
def set_member_profile(
    member: str, body: ProfileIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return put_profile(request, svc, caller, member, body)


@router.get(
    "/v1/me/challenges",
    response_model=list[MemberChallengeOut],
    summary="The member's own progress in every running challenge",
)
def my_challenges(svc: ServicesDep, caller: CallerDep) -> list[MemberChallengeOut]:
    return challenges_of(svc, caller, _own(caller))


@router.get("/v1/me/badges", response_model=list[BadgeOut], summary="The member's own badges")
def my_badges(svc: ServicesDep, caller: CallerDep) -> list[BadgeOut]:
    return badges_of(svc, caller, _own(caller))


@router.get("/v1/me/streak", response_model=StreakOut, summary="The member's own streak")
def my_streak(svc: ServicesDep, caller: CallerDep) -> StreakOut:
    return streak_of(svc, caller, _own(caller))


@router.get(
    "/v1/me/gamification",
    response_model=ProfileOut,
    summary="The member's own leaderboard nickname and opt-out",
)
def my_profile(svc: ServicesDep, caller: CallerDep) -> ProfileOut:
    return profile_of(svc, caller, _own(caller))


@router.put(
    "/v1/me/gamification",
    response_model=ProfileOut,
    summary="Choose a leaderboard nickname, or leave the leaderboards",
)
def set_my_profile(
    body: ProfileIn, request: Request, svc: ServicesDep, caller: CallerDep
) -> JSONResponse:
    return put_profile(request, svc, caller, _own(caller), body)
