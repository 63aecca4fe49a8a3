"""Issue 9, part 2: 1,000 attempts (500 per database) to reach another customer's data; 0 leaks."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api import create_app
from bot.engine import ConversationEngine
from bot.models import Conversation
from rpa.models import Job
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.security import customer_token
from tandem.seed import seed_front_office
from tests.security.fuzz import Tally
from tests.security.isolation import Isolation
from tests.security.targets import InProcess

pytestmark = [pytest.mark.db, pytest.mark.slow]

ATTEMPTS = 500  # per database kind: 1,000 in all


@pytest.fixture
def client(use_database: str, demo_chat_engine: ConversationEngine) -> Iterator[TestClient]:
    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
    app = create_app(engine_factory=lambda: demo_chat_engine)
    app.state.ip_window.limit = 1_000_000
    app.state.conversation_window.limit = 1_000_000
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_no_customer_reaches_another_customers_data(client: TestClient, use_database: str) -> None:
    tally = Tally()
    isolation = Isolation(InProcess(client), tally, lambda cid: customer_token(get_settings(), cid))
    isolation.setup()
    isolation.run(ATTEMPTS)
    isolation.verify_victims()
    victims = {v.id for v in isolation.victims}
    with get_engine().connect() as connection:
        for job in connection.execute(select(Job.id, Job.payload, Job.conversation_id)):
            named = {o for o in isolation.victim_orders() if o in json.dumps(job.payload)}
            if named:
                tally.leak("jobs", f"job {job.id} of conversation {job.conversation_id} for {named}")
        for row in connection.execute(select(Conversation.id, Conversation.customer_id)):
            if row.customer_id in victims and row.id in isolation.attacker_conversations:
                tally.leak("verification", f"conversation {row.id} verified as {row.customer_id}")
    kind = use_database.split(":", 1)[0]
    print(f"\nisolation on {kind}: {tally.tried} attempts\n{tally.summary()}")  # noqa: T201
    assert tally.tried >= ATTEMPTS
    assert sum(c.leaks for c in tally.counts.values()) == 0, tally.all_problems()
    assert tally.all_problems() == []
