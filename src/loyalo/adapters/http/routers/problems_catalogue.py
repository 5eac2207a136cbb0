"""Each problem ``type`` dereferences to a short description (RFC 9457 §3.1.1)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from loyalo.adapters.http.problems import STATUS_BY_KIND
from loyalo.domain.errors import DomainError, NotFound

router = APIRouter(prefix="/problems", tags=["operations"])


class ProblemType(BaseModel):
    type: str
    title: str
    status: int
    description: str


def _all_errors() -> dict[str, type[DomainError]]:
    found: dict[str, type[DomainError]] = {}
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        found[cls.slug] = cls
        pending.extend(cls.__subclasses__())
    return found


@router.get("", response_model=list[ProblemType], summary="Every problem type the API returns")
def catalogue() -> list[ProblemType]:
    return [_describe(cls) for _, cls in sorted(_all_errors().items())]


@router.get("/{slug}", response_model=ProblemType, summary="One problem type")
def describe(slug: str) -> ProblemType:
    cls = _all_errors().get(slug)
    if cls is None:
        raise NotFound(f"no problem type {slug}")
    return _describe(cls)


def _describe(cls: type[DomainError]) -> ProblemType:
    return ProblemType(
        type=f"/problems/{cls.slug}",
        title=cls.title,
        status=STATUS_BY_KIND[cls.kind],
        description=(cls.__doc__ or cls.title).strip(),
    )
