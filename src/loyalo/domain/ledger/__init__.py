"""Double-entry points ledger: accounts, journal entries, lots and the hash chain."""
