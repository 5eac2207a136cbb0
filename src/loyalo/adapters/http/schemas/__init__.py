"""The HTTP contract: Pydantic models, separate from the domain's own types."""
