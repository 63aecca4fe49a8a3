"""Issue 9, part 1: hostile input to the public chat API, on SQLite and PostgreSQL.

Random Unicode of every plane and explicit nasty strings (bidi and zero-width marks, NUL and
control characters, lone surrogates as JSON escapes, SQL and HTML injection) in message texts,
client message ids, conversation ids, X-Customer-Token, the create fields, event-stream resume
points and attachments; wrong types, deep nesting and bodies of 100 KB and more. Every answer is a
2xx or a JSON 4xx error (never a 5xx or a trace), what a refused request sent is never stored,
and an accepted text (HTML included) is stored and returned verbatim as a JSON string.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api import create_app
from bot.engine import ConversationEngine
from bot.models import Conversation, Message
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.security import customer_token
from tandem.seed import seed_front_office
from tests.security.fuzz import HostileFuzz, Tally
from tests.security.targets import InProcess

pytestmark = [pytest.mark.db, pytest.mark.slow]

EXAMPLES = 12  # generated requests per category and database (plus the explicit lists)


@pytest.fixture
def client(use_database: str, demo_chat_engine: ConversationEngine) -> Iterator[TestClient]:
    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
    app = create_app(engine_factory=lambda: demo_chat_engine)
    app.state.ip_window.limit = 1_000_000  # exercise the handlers, not the rate limiter
    app.state.conversation_window.limit = 1_000_000
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_hostile_input_is_refused_or_stored_verbatim(client: TestClient, use_database: str) -> None:
    tally = Tally()
    fuzz = HostileFuzz(InProcess(client), tally, customer_token(get_settings(), "C-001"))
    fuzz.run(EXAMPLES)
    with get_engine().connect() as connection:
        conversations = connection.scalar(select(func.count()).select_from(Conversation))
        messages = connection.scalar(
            select(func.count()).select_from(Message).where(Message.role == "customer")
        )
    expected = sum(len(c.texts) for c in fuzz.conversations)
    kind = use_database.split(":", 1)[0]
    print(f"\nhostile input on {kind}: {tally.tried} requests\n{tally.summary()}")  # noqa: T201
    assert conversations == fuzz.created, "a refused create left a conversation behind"
    assert messages == expected, "customer messages stored other than the accepted ones"
    assert tally.all_problems() == []
    assert tally.tried >= 250
