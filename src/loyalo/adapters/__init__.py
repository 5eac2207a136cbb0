"""Adapters: storage, HTTP, cards. Each depends on the application, never the reverse."""
