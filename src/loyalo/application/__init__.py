"""Use cases: each runs in one unit of work, through ports the adapters implement."""
