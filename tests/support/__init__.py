"""Test support: engines, a controllable clock, a live HTTP server."""
