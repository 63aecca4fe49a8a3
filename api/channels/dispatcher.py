"""Delivers the channel outbox to the messaging platforms from a background thread of the API.

The thread wakes when a webhook's transaction commits (:meth:`OutboxDispatcher.wake`) and
polls every ``channel_poll_seconds`` for everything else (agent replies, job results, retries).
It claims one due row at a time (see :mod:`api.channels.outbox`), sends it outside any
transaction, and settles it: delivered, pending again after a backoff (network errors, 5xx,
429 after the platform's ``retry_after``), or failed when the platform refuses it for good or
``channel_max_attempts`` ran out. Several API processes can each run one; the claim keeps them apart.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from api.channels.generic import GenericSender
from api.channels.outbox import Delivery, claim_due, mark_delivered, mark_failed, retry_later
from api.channels.sending import ChannelSender, SendResult
from api.channels.telegram import TelegramSender
from rpa.queue import RetryPolicy
from tandem.config import Settings
from tandem.logging import get_logger

log = get_logger(__name__)
CANDIDATES = 8


class OutboxDispatcher:
    """One sender per configured channel, one thread, one outbox row in flight at a time."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        senders: Sequence[ChannelSender],
        *,
        poll_seconds: float = 0.5,
        retry: RetryPolicy | None = None,
        max_attempts: int = 20,
        lease_seconds: float = 60.0,
    ) -> None:
        self.sessions = sessions
        self.senders = {sender.channel: sender for sender in senders}
        self.poll_seconds = poll_seconds
        self.retry = retry or RetryPolicy(base_seconds=1.0, cap_seconds=300.0)
        self.max_attempts = max_attempts
        self.lease_seconds = lease_seconds
        self.name = f"outbox-{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def channels(self) -> frozenset[str]:
        return frozenset(self.senders)

    def start(self) -> None:
        """Run the delivery loop in a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        log.info("outbox_dispatcher_started", dispatcher=self.name, channels=sorted(self.channels))

    def stop(self, timeout: float = 15.0) -> None:
        """Finish the send in flight, stop the thread and close the platform clients."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for sender in self.senders.values():
            sender.close()
        log.info("outbox_dispatcher_stopped", dispatcher=self.name)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (thread-safe)."""
        self._wake.set()

    def run_once(self) -> int:
        """Send every row that is due now, one by one; the number of sends attempted."""
        sent = 0
        while not self._stop.is_set():
            delivery = self._claim()
            if delivery is None:
                return sent
            self._deliver(delivery)
            sent += 1
        return sent

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_once()
            except Exception:  # the database may be away for a moment; the rows wait for us
                log.exception("outbox_dispatch_error", dispatcher=self.name)
                self._stop.wait(self.poll_seconds * 4)
            self._wake.wait(self.poll_seconds)

    def _claim(self) -> Delivery | None:
        with self.sessions() as session, session.begin():
            claimed = claim_due(
                session,
                channels=self.channels,
                lease_seconds=self.lease_seconds,
                limit=1,
                candidates=CANDIDATES,
            )
        return claimed[0] if claimed else None

    def _deliver(self, delivery: Delivery) -> None:
        result = self.senders[delivery.channel].send(delivery)
        with self.sessions() as session, session.begin():
            settled = self._settle(session, delivery, result)
        log.info(
            "outbox_send",
            channel=delivery.channel,
            outbound_id=delivery.outbound_id,
            attempt=delivery.attempts,
            outcome=result.outcome if settled else "lease_lost",
            error=result.error,
        )

    def _settle(self, session: Session, delivery: Delivery, result: SendResult) -> bool:
        if result.outcome == "delivered":
            return mark_delivered(session, delivery)
        error = result.error or result.outcome
        if result.outcome == "failed" or delivery.attempts >= self.max_attempts:
            return mark_failed(session, delivery, error)
        if result.retry_after is not None:
            delay = timedelta(seconds=result.retry_after)
        else:
            delay = self.retry.delay(delivery.attempts)
        return retry_later(session, delivery, delay, error)


def build_dispatcher(settings: Settings, sessions: sessionmaker[Session]) -> OutboxDispatcher | None:
    """A dispatcher for every channel whose outbound side is configured; None if there is none."""
    timeout = settings.channel_send_timeout_seconds
    senders: list[ChannelSender] = []
    if settings.telegram_bot_token is not None:
        senders.append(
            TelegramSender(
                api_base=settings.telegram_api_base,
                token=settings.telegram_bot_token.get_secret_value(),
                timeout=timeout,
            )
        )
    if settings.generic_callback_url and settings.generic_webhook_secret is not None:
        senders.append(
            GenericSender(
                callback_url=settings.generic_callback_url,
                secret=settings.generic_webhook_secret.get_secret_value(),
                timeout=timeout,
            )
        )
    if not senders:
        return None
    return OutboxDispatcher(
        sessions,
        senders,
        poll_seconds=settings.channel_poll_seconds,
        retry=RetryPolicy(
            base_seconds=settings.channel_retry_base_seconds, cap_seconds=settings.channel_retry_cap_seconds
        ),
        max_attempts=settings.channel_max_attempts,
        lease_seconds=max(30.0, 3 * timeout),
    )


@asynccontextmanager
async def dispatcher_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the dispatcher with the app (``app.state.channel_dispatcher``) and stop it on shutdown."""
    settings: Settings = app.state.settings
    dispatcher = (
        build_dispatcher(settings, app.state.session_factory) if settings.channel_dispatcher else None
    )
    app.state.channel_dispatcher = dispatcher
    if dispatcher is not None:
        dispatcher.start()
    try:
        yield
    finally:
        if dispatcher is not None:
            await asyncio.to_thread(dispatcher.stop)
        app.state.channel_dispatcher = None
