"""Live-event wake-ups: in process, and across processes through the real Redis on 127.0.0.1."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from tandem.pubsub import LocalBroker, RedisBroker

REDIS_URL = "redis://127.0.0.1:6379/15"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` in a fresh loop on its own thread (Playwright's sync API may own this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=30)


async def _receive(broker: LocalBroker | RedisBroker, publisher: LocalBroker | RedisBroker, cid: str) -> str:
    async with broker.subscribe(cid) as queue:
        await asyncio.sleep(0.2)  # let the Redis pattern subscription settle
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
