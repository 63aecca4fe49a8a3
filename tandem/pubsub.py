"""Wake-up calls for live streams: "conversation X has new events".

The events themselves live in the database (``conversation_events``), so a stream that
misses a notification loses nothing: it reads from its last event id on the next wake-up
or poll. In one process the broker is in memory; across API replicas it is Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from tandem.logging import get_logger

log = get_logger(__name__)


class Broker(Protocol):
    def publish(self, conversation_id: str, kind: str = "event") -> None: ...

    def subscribe(self, conversation_id: str) -> AbstractAsyncContextManager[asyncio.Queue[str]]: ...


class LocalBroker:
    """In-process fan-out; ``publish`` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]]] = defaultdict(
            set
        )

    def publish(self, conversation_id: str, kind: str = "event") -> None:
        with self._lock:
            targets = list(self._subscribers.get(conversation_id, ()))
        for loop, queue in targets:
            loop.call_soon_threadsafe(_offer, queue, kind)

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=100)
        entry = (asyncio.get_running_loop(), queue)
        with self._lock:
            self._subscribers[conversation_id].add(entry)
        try:
            yield queue
        finally:
            with self._lock:
                self._subscribers[conversation_id].discard(entry)
                if not self._subscribers[conversation_id]:
                    del self._subscribers[conversation_id]


def _offer(queue: asyncio.Queue[str], kind: str) -> None:
    if not queue.full():
        queue.put_nowait(kind)


_broker: Broker | None = None


def get_broker() -> Broker:
    """The process-wide broker."""
    global _broker
    if _broker is None:
        from tandem.config import get_settings

        url = get_settings().redis_url
        _broker = RedisBroker(url) if url else LocalBroker()
    return _broker


def set_broker(broker: Broker | None) -> None:
    global _broker
    _broker = broker


SUBSCRIBE_WAIT_S = 0.5  # how long a new stream waits for its Redis subscription
REDIS_CONNECT_TIMEOUT_S = 2.0  # an unreachable Redis costs a publish this long, not the OS's minutes


class RedisBroker:
    """Fan-out across API replicas through Redis.

    A replica subscribes to a conversation's channel only while one of its own streams watches
    that conversation, so a notification reaches just the replicas with a listener for it. (A
    pattern subscription made every replica read, in a second thread and under the GIL, every
    turn of every other replica: per-turn work that grew with the number of replicas.)
    """

    CHANNEL = "tandem:conversation:"

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S)
        self._local = LocalBroker()
        self._watched: Counter[str] = Counter()  # conversation id -> this replica's open streams
        self._lock = threading.Lock()
        self._commands = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redis-subscriptions")
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)  # type: ignore[no-untyped-call]
        # A channel of this replica's own keeps the connection subscribed while no stream is open:
        # redis-py's reader thread stops reading when the last subscription goes, and a stream
        # subscribing in that very moment could be left unheard.
        self._pubsub.subscribe(**{f"tandem:replica:{uuid.uuid4().hex}": _ignore})
        self._thread = self._pubsub.run_in_thread(
            sleep_time=0.5, daemon=True, exception_handler=self._on_error
        )

    def _relay(self, message: dict[str, object]) -> None:
        channel = message["channel"]
        data = message["data"]
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        kind = data.decode() if isinstance(data, bytes) else str(data)
        self._local.publish(name.removeprefix(self.CHANNEL), kind)

    @staticmethod
    def _on_error(exc: BaseException, pubsub: object, thread: object) -> None:
        # Redis restarted or unreachable: keep the thread alive (redis-py subscribes again to every
        # channel once it reconnects); meanwhile streams fall back to polling the log.
        import time

        time.sleep(1.0)

    def publish(self, conversation_id: str, kind: str = "event") -> None:
        import redis

        try:
            self._redis.publish(f"{self.CHANNEL}{conversation_id}", kind)
        except redis.RedisError:
            self._local.publish(conversation_id, kind)  # this replica still hears it; others poll

    @asynccontextmanager
    async def subscribe(self, conversation_id: str) -> AsyncIterator[asyncio.Queue[str]]:
        # (Un)subscribing writes to the Redis socket: off the loop, on one thread, in order (a stream
        # cancelled while opening unwatches after it watched). The stream waits for its subscription
        # a moment, so that it is in place before the stream first reads the log, but never longer:
        # with Redis away it polls the log instead.
        loop = asyncio.get_running_loop()
        async with self._local.subscribe(conversation_id) as queue:
            watching = loop.run_in_executor(self._commands, self._watch, conversation_id)
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(watching), SUBSCRIBE_WAIT_S)
                yield queue
            finally:
                loop.run_in_executor(self._commands, self._unwatch, conversation_id)

    def _watch(self, conversation_id: str) -> None:
        with self._lock:
            self._watched[conversation_id] += 1
            if self._watched[conversation_id] == 1:
                self._command(self._pubsub.subscribe, **{f"{self.CHANNEL}{conversation_id}": self._relay})

    def _unwatch(self, conversation_id: str) -> None:
        with self._lock:
            self._watched[conversation_id] -= 1
            if self._watched[conversation_id] <= 0:
                del self._watched[conversation_id]
                self._command(self._pubsub.unsubscribe, f"{self.CHANNEL}{conversation_id}")

    @staticmethod
    def _command(send: Callable[..., object], *args: str, **handlers: Callable[..., None]) -> None:
        import redis

        try:
            send(*args, **handlers)
        except redis.RedisError as exc:  # the stream still polls the event log every few seconds
            log.warning("redis_subscription_failed", error=type(exc).__name__)

    def watched(self) -> int:
        """Conversations this replica listens to on Redis (for tests and health pages)."""
        with self._lock:
            return len(self._watched)

    def close(self) -> None:
        self._commands.shutdown(wait=True)
        self._thread.stop()
        self._pubsub.close()
        self._redis.close()


def _ignore(message: dict[str, object]) -> None:
    """Messages on the replica's own keep-alive channel (nobody publishes there)."""
