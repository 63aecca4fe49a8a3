"""Database kernel: declarative base, engine, sessions, and a readiness check."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DisconnectionError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from tandem.errors import ConfigurationError
from tandem.logging import get_logger

log = get_logger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every product table; constraint names are stable across databases."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: DateTime(timezone=True)}


def _sqlite_pragmas(busy_timeout_s: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    return configure


SLOW_WRITE_S = 1.0  # a write transaction holding SQLite this long is logged: it stalls every writer
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


class FifoLock:
    """A lock granted in arrival order, releasable from any thread (``threading.Lock`` lets
    newcomers overtake waiters, which under load stretches the tail)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            baton = threading.Lock()
            baton.acquire()
            self._waiters.append(baton)
        if baton.acquire(timeout=timeout):
            return True  # handed over by release(): the lock stays held, now by us
        with self._mutex:
            try:
                self._waiters.remove(baton)
            except ValueError:
                return True  # handed over just as the wait timed out
            return False

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False


class SQLiteWriteGate:
    """One writing transaction at a time in this process, queued in Python rather than in SQLite.

    SQLite admits one writer per database. The others wait in its busy handler, which naps (up to
    100 ms a time) and lets newcomers overtake the sleepers: under load that gives a long, unfair
    tail and, past the busy timeout, errors. The gate is taken before a transaction's first write
    statement and given back at commit or rollback, so writers of this process queue on a lock and
    each runs as soon as the previous one ends. Other processes (``tandem worker``, the CLI) still
    meet SQLite's own lock and busy timeout. Reads never take the gate (WAL readers do not block).
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._lock = FifoLock()  # first come, first served; commit may run on another thread

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before_execute)
        event.listen(engine, "commit", self._finish("commit"))
        event.listen(engine, "rollback", self._finish("rollback"))
        event.listen(engine.pool, "checkin", self._release_record)  # a connection dropped mid-write

    def _before_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get("write_gate") or not _WRITE.match(statement):
            return
        asked = time.monotonic()
        if not self._lock.acquire(timeout=self.timeout_s):
            raise OperationalError(statement[:80], None, Exception("database is locked (write queue)"))
        conn.info["write_gate"] = time.monotonic()
        conn.info["write_gate_by"] = (statement[:60], asked)

    def _finish(self, action: str) -> Any:
        def finish(conn: Any) -> None:
            # The event fires before SQLAlchemy commits; end the transaction first, so the next
            # writer never finds SQLite still locked (SQLAlchemy's own commit is then a no-op).
            if "write_gate" in conn.info:
                try:
                    getattr(conn.connection.dbapi_connection, action)()
                finally:
                    self._release(conn.info)

        return finish

    def _release_record(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            self._release(record.info)

    def _release(self, info: dict[str, Any]) -> None:
        entered = info.pop("write_gate", None)
        if entered is None:
            return
        self._lock.release()
        held = time.monotonic() - entered
        if held > SLOW_WRITE_S:
            statement, asked = info.get("write_gate_by", ("?", entered))
            log.warning(
                "slow_write_transaction",
                held_ms=round(held * 1000),
                waited_ms=round((entered - asked) * 1000),
                first_write=statement,
            )


def build_engine(
    url: str, *, pool_size: int = 10, max_overflow: int = 20, busy_timeout_s: float = 10.0
) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a write gate, PostgreSQL a sized pool."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(f"TANDEM_DATABASE_URL is not a valid database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            from pathlib import Path

            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_s))
        SQLiteWriteGate(busy_timeout_s).attach(engine)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        engine = create_engine(parsed, pool_size=pool_size, max_overflow=max_overflow)
    except Exception as exc:  # an unknown dialect or a missing driver
        raise ConfigurationError(f"TANDEM_DATABASE_URL cannot be used: {exc}") from exc
    _ping_after_idle(engine, PING_AFTER_IDLE_S)
    event.listen(engine, "handle_error", _broken_is_disconnect)
    return engine


def _broken_is_disconnect(context: Any) -> None:
    """Treat any error on a connection psycopg knows to be broken as a disconnect.

    SQLAlchemy recognises a disconnect by the error's text, and a backend killed while a
    statement is on its way can fail as "another command is already in progress", which it does
    not recognise: the dead connection would go back to the pool and fail its next reset.
    """
    if context.is_disconnect or context.connection is None:
        return
    try:
        raw = context.connection.connection.dbapi_connection
    except Exception:  # already invalidated
        return
    if getattr(raw, "broken", False) or getattr(raw, "closed", False):
        context.is_disconnect = True


# A connection back from the pool sooner than this is used as is; an older one is pinged first.
PING_AFTER_IDLE_S = 2.0


def _ping_after_idle(engine: Engine, idle_s: float) -> None:
    """Pessimistic disconnect handling, paid only by connections that sat idle in the pool.

    ``pool_pre_ping`` pings on every checkout: one round trip of the eight a chat turn makes
    on PostgreSQL. A connection checked in moments ago is almost surely alive; one that sat
    idle (a server restart, a firewall's idle timeout) is pinged and, if dead, replaced before
    the request sees it. A server restarted under load is still noticed: the first statement on
    a dead connection invalidates the whole pool (SQLAlchemy's disconnect handling).
    """

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_s:
            return  # new, or back moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool throws the connection away and checks out another (up to three times).
            raise DisconnectionError(f"idle connection is dead: {exc}") from exc


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine built from settings."""
    from tandem.config import get_settings

    settings = get_settings()
    return build_engine(
        settings.resolved_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        busy_timeout_s=settings.db_busy_timeout_s,
    )


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


# One factory for transaction(): building a sessionmaker builds a Session subclass, which cost
# as much as the session's own work (~120 µs of a short read's ~250 µs).
_SESSIONS: sessionmaker[Session] = sessionmaker(expire_on_commit=False)


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A session whose work commits on success and rolls back on error."""
    with _SESSIONS(bind=engine or get_engine()) as session, session.begin():
        yield session
