"""The outbox dispatcher on its own: claims, ordering, leases, give-up, and secrets kept out of logs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.channels import OutboxDispatcher
from api.channels.outbox import Delivery, claim_due, mark_delivered
from api.channels.sending import ChannelSender, SendResult
from api.channels.telegram import TelegramSender
from bot.models import Conversation, OutboundMessage
from bot.transcript import append_message
from rpa.queue import RetryPolicy
from tests.api.channels.conftest import BOT_TOKEN, outbound_statuses
from tests.api.channels.fake_platform import FakePlatform, fake_platform_server, telegram_error
from tests.support.servers import free_port

pytestmark = pytest.mark.db
QUICK = RetryPolicy(base_seconds=0.01, cap_seconds=0.02)


@dataclass
class RecordingSender:
    """An in-memory platform: answers from a script, records what it was asked to send."""

    channel: str = "telegram"
    script: list[SendResult] = field(default_factory=list)
    sent: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, delivery: Delivery) -> SendResult:
        time.sleep(self.delay)
        with self.lock:
            self.sent.append((delivery.channel_ref, delivery.text))
            return self.script.pop(0) if self.script else SendResult.delivered()

    def close(self) -> None:
        return


@pytest.fixture
def sessions(committing_engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=committing_engine, expire_on_commit=False)


def write_replies(
    sessions: sessionmaker[Session], chat: str, texts: list[str], channel: str = "telegram"
) -> str:
    """A conversation on ``channel`` with bot replies, committed (so the outbox has pending rows)."""
    with sessions() as session, session.begin():
        conversation = Conversation(channel=channel, channel_ref=chat)
        session.add(conversation)
        session.flush()
        for text in texts:
            append_message(
                session, conversation.id, role="bot", text=text, payload={"quick_replies": ["Yes"]}
            )
        return conversation.id


def dispatcher(
    sessions: sessionmaker[Session],
    sender: ChannelSender,
    *,
    max_attempts: int = 20,
    retry: RetryPolicy = QUICK,
) -> OutboxDispatcher:
    return OutboxDispatcher(sessions, [sender], retry=retry, poll_seconds=0.05, max_attempts=max_attempts)


class TestClaims:
    def test_two_dispatchers_deliver_every_message_exactly_once(
        self, sessions: sessionmaker[Session], committing_engine: Engine
    ) -> None:
        for chat in range(6):
            write_replies(sessions, str(1000 + chat), [f"{chat}-a", f"{chat}-b", f"{chat}-c"])
        sender = RecordingSender(delay=0.005)
        racers = [dispatcher(sessions, sender) for _ in range(3)]
        threads = [threading.Thread(target=r.run_once) for r in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(text for _, text in sender.sent) == sorted(
            f"{chat}-{part}" for chat in range(6) for part in "abc"
        )
        assert {status for status, _, _ in outbound_statuses(committing_engine)} == {"delivered"}

    def test_messages_of_a_conversation_go_in_order_even_across_retries(
        self, sessions: sessionmaker[Session], committing_engine: Engine
    ) -> None:
        write_replies(sessions, "2001", ["first", "second", "third"])
        sender = RecordingSender(script=[SendResult("retry", "HTTP 502"), SendResult("retry", "HTTP 502")])
        runner = dispatcher(sessions, sender)
        deadline = time.monotonic() + 10
        while len([s for s, _, _ in outbound_statuses(committing_engine) if s == "delivered"]) < 3:
            runner.run_once()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert [text for _, text in sender.sent] == ["first", "first", "first", "second", "third"]

    def test_a_claim_whose_holder_died_is_taken_over_after_the_lease(
        self, sessions: sessionmaker[Session], committing_engine: Engine
    ) -> None:
        write_replies(sessions, "3001", ["hello"])
        with sessions() as session, session.begin():
            [lost] = claim_due(session, channels={"telegram"}, lease_seconds=0.2)
        with sessions() as session, session.begin():
            assert claim_due(session, channels={"telegram"}, lease_seconds=0.2) == []
        time.sleep(0.3)
        with sessions() as session, session.begin():
            [taken] = claim_due(session, channels={"telegram"}, lease_seconds=30)
        assert (lost.attempts, taken.attempts) == (1, 2)
        with sessions() as session, session.begin():
            assert mark_delivered(session, lost) is False  # the late holder cannot settle it
            assert mark_delivered(session, taken) is True
        assert outbound_statuses(committing_engine) == [("delivered", 2, None)]

    def test_channels_without_a_sender_are_left_pending(
        self, sessions: sessionmaker[Session], committing_engine: Engine
    ) -> None:
        write_replies(sessions, "user-1", ["for the generic channel"], channel="generic")
        sender = RecordingSender()
        assert dispatcher(sessions, sender).run_once() == 0
        assert outbound_statuses(committing_engine) == [("pending", 0, None)]


class TestGivingUp:
    def test_after_max_attempts_the_row_is_failed_and_kept(
        self, sessions: sessionmaker[Session], committing_engine: Engine
    ) -> None:
        write_replies(sessions, "4001", ["never arrives"])
        sender = RecordingSender(script=[SendResult("retry", "HTTP 503: busy")] * 3)
        runner = dispatcher(sessions, sender, max_attempts=3)
        deadline = time.monotonic() + 10
        while outbound_statuses(committing_engine)[0][0] == "pending":
            runner.run_once()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert outbound_statuses(committing_engine) == [("failed", 3, "HTTP 503: busy")]
        assert len(sender.sent) == 3


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with fake_platform_server() as platform:
        yield platform


class TestTelegramSender:
    def test_the_token_is_in_the_url_and_nowhere_in_errors_or_logs(
        self,
        sessions: sessionmaker[Session],
        committing_engine: Engine,
        platform: FakePlatform,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        write_replies(sessions, "5001", ["hello"])
        unreachable = TelegramSender(api_base=f"http://127.0.0.1:{free_port()}", token=BOT_TOKEN, timeout=2)
        dispatcher(sessions, unreachable, retry=RetryPolicy(base_seconds=60)).run_once()
        [(status, attempts, error)] = outbound_statuses(committing_engine)
        assert (status, attempts) == ("pending", 1)
        assert error is not None
        assert error.startswith("network error")

        with sessions() as session, session.begin():  # due again now
            session.execute(update(OutboundMessage).values(next_attempt_at=OutboundMessage.created_at))
        platform.script.append(telegram_error(500, "Internal Server Error"))
        reachable = TelegramSender(api_base=platform.url, token=BOT_TOKEN, timeout=2)
        runner = dispatcher(sessions, reachable)
        deadline = time.monotonic() + 10
        while outbound_statuses(committing_engine)[0][0] != "delivered":
            runner.run_once()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert [r.path for r in platform.attempts()] == [f"/bot{BOT_TOKEN}/sendMessage"] * 2
        output = capsys.readouterr()
        assert "outbox_send" in output.out + output.err
        assert BOT_TOKEN not in output.out + output.err
        assert BOT_TOKEN.split(":")[1] not in output.out + output.err
        with committing_engine.connect() as conn:
            errors = conn.scalars(select(OutboundMessage.last_error)).all()
        assert all(BOT_TOKEN not in (e or "") for e in errors)

    def test_a_conversation_without_a_chat_id_is_refused_for_good(
        self, sessions: sessionmaker[Session], committing_engine: Engine, platform: FakePlatform
    ) -> None:
        write_replies(sessions, "not-a-chat", ["hello"])
        dispatcher(sessions, TelegramSender(api_base=platform.url, token=BOT_TOKEN, timeout=2)).run_once()
        assert outbound_statuses(committing_engine)[0][0] == "failed"
        assert platform.requests == []
