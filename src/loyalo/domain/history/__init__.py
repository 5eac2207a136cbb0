"""Purchase history from files: rows, receipts, and returns matched to earlier sales."""
