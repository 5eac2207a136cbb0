"""What every SQL repository shares: the unit of work's session, and its connection."""

from __future__ import annotations

from sqlalchemy import Connection
from sqlalchemy.orm import Session


class SqlRepository:
    """A repository over one unit of work.

    Core statements (inserts, updates, selects of columns) run on the
    transaction's connection directly. ``Session.execute`` would run them too,
    through the ORM's execution path, which these statements do not use and
    which costs two to three times as much per statement (docs/BENCHMARKS.md,
    "History import"). Queries that load ORM objects still go through the session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def _db(self) -> Connection:
        return self._session.connection()
