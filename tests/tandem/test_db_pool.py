"""PostgreSQL pool: a connection that sat idle is pinged and replaced if dead; a busy one is not pinged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

import tandem.db
from tandem.db import build_engine
from tests.support.database import POSTGRES_ADMIN_URL, fresh_postgres_database

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def engine_with(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], Engine]]:
    """Build a one-connection engine that pings connections idle ``idle_s`` or more."""
    built: list[Engine] = []

    def build(idle_s: float) -> Engine:
        monkeypatch.setattr(tandem.db, "PING_AFTER_IDLE_S", idle_s)
        built.append(build_engine(database_url, pool_size=1, max_overflow=0))
        return built[-1]

    yield build
    for engine in built:
        engine.dispose()


def backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill_backend(pid: int) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def count_pings(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The pings sent on the engine's connections from now on (one entry each)."""
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_dead_idle_connection_is_replaced_before_the_request_sees_it(
    engine_with: Callable[[float], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_with(0.0)
    first = backend_pid(engine)
    pings = count_pings(engine, monkeypatch)
    kill_backend(first)  # a server restart, or an idle timeout on the way
    assert backend_pid(engine) != first  # no error: the ping found it dead and the pool reconnected
    assert len(pings) == 1


def test_a_connection_back_moments_ago_is_used_without_a_ping(
    engine_with: Callable[[float], Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_with(3600.0)
    first = backend_pid(engine)
    pings = count_pings(engine, monkeypatch)
    assert backend_pid(engine) == first
    assert pings == []


def test_a_dead_busy_connection_fails_once_then_the_pool_recovers(
    engine_with: Callable[[float], Engine],
) -> None:
    engine = engine_with(3600.0)
    first = backend_pid(engine)
    kill_backend(first)
    with pytest.raises(OperationalError) as failed:
        backend_pid(engine)
    assert failed.value.connection_invalidated
    assert backend_pid(engine) != first
