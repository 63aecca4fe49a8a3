"""Live-event wake-ups: in process, and across processes through the real Redis on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tandem.pubsub import LocalBroker, RedisBroker
from tests.support.servers import free_port

REDIS_URL = "redis://127.0.0.1:6379/15"
T = TypeVar("T")


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` in a fresh loop on its own thread (Playwright's sync API may own this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


async def _receive(broker: LocalBroker | RedisBroker, publisher: LocalBroker | RedisBroker, cid: str) -> str:
    async with broker.subscribe(cid) as queue:
        await asyncio.sleep(0.05)  # the subscription is sent; let Redis take it in
        publisher.publish(cid, "event")
        return await asyncio.wait_for(queue.get(), timeout=5)


@pytest.mark.unit
def test_local_broker_wakes_subscribers_from_any_thread() -> None:
    broker = LocalBroker()
    assert run(_receive(broker, broker, "c1")) == "event"


@pytest.mark.unit
def test_local_broker_ignores_other_conversations() -> None:
    broker = LocalBroker()

    async def scenario() -> bool:
        async with broker.subscribe("mine") as queue:
            broker.publish("theirs")
            await asyncio.sleep(0.05)
            return queue.empty()

    assert run(scenario())


@pytest.mark.e2e
def test_redis_broker_fans_out_between_two_replicas() -> None:
    replica_a, replica_b = RedisBroker(REDIS_URL), RedisBroker(REDIS_URL)
    try:
        assert run(_receive(replica_a, replica_b, uuid.uuid4().hex)) == "event"
    finally:
        replica_a.close()
        replica_b.close()


async def _listeners(channel: str, expected: int) -> int:
    """Redis's count of subscribers to ``channel``, once it is ``expected`` (or after 5 s)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for _ in range(100):
            count = int(dict(client.pubsub_numsub(channel))[channel.encode()])
            if count == expected:
                break
            await asyncio.sleep(0.05)
        return count
    finally:
        client.close()


@pytest.mark.e2e
def test_redis_broker_listens_only_to_conversations_with_an_open_stream() -> None:
    """A replica subscribes on Redis while one of its streams is open, once for several streams of
    one conversation, and leaves when the last one closes; a later stream is heard again."""
    replica, other = RedisBroker(REDIS_URL), RedisBroker(REDIS_URL)
    conversation = uuid.uuid4().hex
    channel = f"{RedisBroker.CHANNEL}{conversation}"

    async def scenario() -> list[object]:
        seen: list[object] = [await _listeners(channel, 0)]
        async with replica.subscribe(conversation) as first, replica.subscribe(conversation) as second:
            seen += [await _listeners(channel, 1), replica.watched()]
            other.publish(conversation, "event")
            seen += [await asyncio.wait_for(first.get(), 5), await asyncio.wait_for(second.get(), 5)]
        seen += [await _listeners(channel, 0), replica.watched()]
        async with replica.subscribe(conversation) as again:
            other.publish(conversation, "typing")
            seen.append(await asyncio.wait_for(again.get(), 5))
        return seen

    try:
        assert run(scenario()) == [0, 1, 1, "event", "event", 0, 0, "typing"]
    finally:
        replica.close()
        other.close()


@pytest.mark.e2e
def test_redis_broker_subscribes_again_after_a_redis_restart(tmp_path: Path) -> None:
    """A private Redis on a free port is stopped and started again while a stream is open: the
    replica's subscription comes back, and the stream hears the next notification."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]

    def start() -> subprocess.Popen[bytes]:
        server = subprocess.Popen([*command, "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
        wait_for_port(port)
        return server

    server = start()
    url = f"redis://127.0.0.1:{port}/0"
    replica, other = RedisBroker(url), RedisBroker(url)
    conversation = uuid.uuid4().hex

    async def scenario() -> str:
        nonlocal server
        async with replica.subscribe(conversation) as queue:
            server.kill()
            server.wait()
            server = start()
            for _ in range(100):  # notifications sent before the replica is back are not heard
                other.publish(conversation, "event")
                try:
                    return await asyncio.wait_for(queue.get(), timeout=0.2)
                except TimeoutError:
                    continue
            return "nothing heard"

    try:
        assert run(scenario()) == "event"
    finally:
        replica.close()
        other.close()
        server.kill()
        server.wait()


@pytest.mark.e2e
def test_a_stream_cancelled_while_opening_leaves_no_subscription() -> None:
    replica = RedisBroker(REDIS_URL)
    conversation = uuid.uuid4().hex

    async def scenario() -> tuple[int, int]:
        async def stream() -> None:
            async with replica.subscribe(conversation):
                await asyncio.sleep(30)

        task = asyncio.create_task(stream())
        await asyncio.sleep(0)  # the stream is subscribing
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return await _listeners(f"{RedisBroker.CHANNEL}{conversation}", 0), replica.watched()

    try:
        assert run(scenario()) == (0, 0)
    finally:
        replica.close()
