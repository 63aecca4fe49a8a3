"""PostgreSQL pool: a connection that sat idle is pinged and replaced if dead; a busy one is not pinged."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

import tandem.db
from tandem.db import build_engine
from tests.support.database import POSTGRES_ADMIN_URL, fresh_postgres_database

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


def build(database_url: str, idle_s: float, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setattr(tandem.db, "PING_AFTER_IDLE_S", idle_s)
    return build_engine(database_url, pool_size=1, max_overflow=0)


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill_backend(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def statements(engine: Engine) -> list[str]:
    """Every statement sent on the engine's DBAPI connections, pings included."""
    seen: list[str] = []

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: object, _record: object, _proxy: object) -> None:
        seen.append("checkout")

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    return seen


def test_a_dead_idle_connection_is_replaced_before_the_request_sees_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build(database_url, idle_s=0.0, monkeypatch=monkeypatch)
    try:
        first = backend_pid(engine)
        kill_backend(first)  # a server restart, or an idle timeout on the way
        assert backend_pid(engine) != first  # no error: the ping found it dead and the pool reconnected
    finally:
        engine.dispose()


def test_a_connection_back_moments_ago_is_used_without_a_ping(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build(database_url, idle_s=3600.0, monkeypatch=monkeypatch)
    try:
        backend_pid(engine)
        seen = statements(engine)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert seen == ["checkout", "SELECT 1"]
    finally:
        engine.dispose()


def test_a_dead_busy_connection_fails_once_then_the_pool_recovers(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = build(database_url, idle_s=3600.0, monkeypatch=monkeypatch)
    try:
        first = backend_pid(engine)
        kill_backend(first)
        with pytest.raises(OperationalError) as failed:
            backend_pid(engine)
        assert failed.value.connection_invalidated
        assert backend_pid(engine) != first
    finally:
        engine.dispose()
