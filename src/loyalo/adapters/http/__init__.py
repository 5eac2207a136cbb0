"""The HTTP API: FastAPI under /v1, RFC 9457 problems, OpenAPI 3.1."""
