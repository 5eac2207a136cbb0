"""Fresh databases for tests: a migrated SQLite file, or a PostgreSQL database.

PostgreSQL gets one database per test session (migrated once) and every test
starts from empty tables (TRUNCATE is not blocked by the append-only triggers,
which guard UPDATE and DELETE only).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from loyalo.adapters.storage.engine import make_engine
from loyalo.adapters.storage.migrate import upgrade
from loyalo.adapters.storage.tables import Base

PG_SERVER = os.environ.get("LOYALO_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")


def postgres_available() -> bool:
    try:
        engine = create_engine(f"{PG_SERVER}/postgres", connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


def create_postgres_database(name: str, revision: str = "head") -> str:
    """A new, empty database ``name`` (dropped first if it exists), migrated to ``revision``."""
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{PG_SERVER}/{name}"
    engine = make_engine(url)
    upgrade(engine, revision)
    engine.dispose()
    return url


def drop_postgres_database(name: str) -> None:
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


def sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection to close checkpoints the WAL into the file
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "loyalo.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def database_name(url: str) -> str:
    return str(make_url(url).database)
