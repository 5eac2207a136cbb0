"""The live PostgreSQL server of the race tests, for the redemption races."""

from tests.concurrency.test_postgres_races import live  # noqa: F401 - a fixture
