"""The SQLite write gate: writers of one process queue in Python, never in SQLite's busy loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from tandem.db import FifoLock, build_engine

pytestmark = pytest.mark.unit


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = build_engine(f"sqlite:///{tmp_path / 'gate.db'}", busy_timeout_s=2)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield engine
    engine.dispose()


def read_modify_write(engine: Engine, pause_s: float = 0.0) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n WHERE id = 1"))  # the first write takes the gate
        current = conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()
        time.sleep(pause_s)
        conn.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": current + 1})


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT n FROM counter")).scalar_one())


def test_concurrent_writers_all_succeed_and_none_is_lost(engine: Engine) -> None:
    errors: list[BaseException] = []

    def writer() -> None:
        for _ in range(25):
            try:
                read_modify_write(engine, pause_s=0.001)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert count(engine) == 16 * 25


def test_a_writer_waits_for_the_one_in_progress(engine: Engine) -> None:
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 10 WHERE id = 1"))
            holding.set()
            time.sleep(0.3)
            order.append("first commits")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait(5)
    with engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1"))
        order.append("second writes")
    thread.join()
    assert order == ["first commits", "second writes"]
    assert count(engine) == 11


def test_reads_do_not_wait_for_a_writer(engine: Engine) -> None:
    with engine.begin() as writer:
        writer.execute(text("UPDATE counter SET n = 5 WHERE id = 1"))
        assert count(engine) == 0  # WAL: the reader sees the last commit and does not block


def test_rollback_and_abandoned_connections_give_the_gate_back(engine: Engine) -> None:
    def failing_handler() -> None:
        with engine.begin() as conn:
            conn.execute(text("UPDATE counter SET n = 99 WHERE id = 1"))
            raise RuntimeError("handler failed")

    with pytest.raises(RuntimeError):
        failing_handler()
    conn = engine.connect()
    conn.execute(text("UPDATE counter SET n = 98 WHERE id = 1"))
    conn.close()  # never committed: back to the pool, rolled back
    read_modify_write(engine)
    assert count(engine) == 1


def test_a_writer_that_cannot_get_in_gets_operational_error_and_writes_nothing(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'slow.db'}", busy_timeout_s=0.2)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    release = threading.Event()
    holding = threading.Event()

    def hog() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
            holding.set()
            release.wait(5)

    thread = threading.Thread(target=hog)
    thread.start()
    holding.wait(5)
    with pytest.raises(OperationalError, match="database is locked"), engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
    release.set()
    thread.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t")).scalars().all() == [1]
    engine.dispose()


def test_the_gate_serves_writers_in_arrival_order() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []
    threads = []
    for n in range(8):
        thread = threading.Thread(
            target=lambda n=n: (lock.acquire(timeout=5), order.append(n), lock.release())
        )
        thread.start()
        threads.append(thread)
        while len(lock._waiters) <= n:  # wait until this one queues before the next arrives
            time.sleep(0.001)
    lock.release()
    for thread in threads:
        thread.join()
    assert order == list(range(8))


def test_a_waiter_that_times_out_leaves_the_queue() -> None:
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    assert not lock.acquire(timeout=0.05)
    lock.release()
    assert lock.acquire(timeout=0.05)  # free again: the timed-out waiter did not take it
    lock.release()
