"""Engine and sessions for the sandbox's own SQLite file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from rpa.sandbox.models import SandboxBase


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL and a busy timeout let the seeding CLI and the running server share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(db_path: Path) -> Engine:
    """An engine on ``db_path`` with the sandbox tables created."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{db_path}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    SandboxBase.metadata.create_all(engine)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (pages render after it)."""
    return sessionmaker(engine, expire_on_commit=False)


def files_dir_for(db_path: Path) -> Path:
    """Where DMS uploads live: beside the database file."""
    return db_path.parent / f"{db_path.stem}-files"
