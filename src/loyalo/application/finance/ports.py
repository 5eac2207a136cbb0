"""What finance reads from the ledger: plain sums, never a posting to change."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from loyalo.domain.finance.liability import EntryFlow, OutstandingPoints


class FinanceLedgerReader(Protocol):
    def outstanding(self) -> OutstandingPoints:
        """The members' balances summed, as they stand."""
        ...

    def entry_flows(self, until: datetime) -> Iterator[EntryFlow]:
        """Each entry occurring at or before ``until`` that touches a system account: its system
        postings summed per account, member by member in journal order."""
        ...
