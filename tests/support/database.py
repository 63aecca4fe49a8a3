"""Real databases for tests: a SQLite file and a fresh PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get("TANDEM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a uniquely named database, yield its SQLAlchemy URL, drop it afterwards."""
    name = f"tandem_test_{uuid.uuid4().hex[:12]}"
    admin = make_url(POSTGRES_ADMIN_URL)
    admin_dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_sqlite_database(directory: Path) -> Iterator[str]:
    """A SQLite file in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    yield f"sqlite:///{directory / f'tandem-{uuid.uuid4().hex[:8]}.db'}"


@contextmanager
def fresh_database(kind: str, directory: Path) -> Iterator[str]:
    """A new empty database of ``kind`` ('sqlite' or 'postgresql')."""
    factory = fresh_postgres_database() if kind == "postgresql" else fresh_sqlite_database(directory)
    with factory as url:
        yield url
