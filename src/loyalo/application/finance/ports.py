"""What finance reads from the ledger: plain sums, never a posting to change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from loyalo.domain.finance.liability import EntryFlow, OutstandingPoints


@dataclass(frozen=True, slots=True)
class LedgerRead:
    """The balances and the entries as one snapshot saw them."""

    outstanding: OutstandingPoints  # the members' balances summed
    flows: Iterator[EntryFlow]  # read while the unit of work is open


class FinanceLedgerReader(Protocol):
    def read(self, until: datetime) -> LedgerRead:
        """The members' balances summed, and each entry occurring at or before ``until``
        that touches a system account (its system postings summed per account, member by
        member in journal order), from one snapshot of the store. Call it first in its unit
        of work: the snapshot starts with the transaction."""
        ...
