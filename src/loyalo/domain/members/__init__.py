"""Members and the identifiers that find them on every channel."""
