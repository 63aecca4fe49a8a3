"""Schemathesis over the whole OpenAPI spec: whatever a client sends, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api import create_app
from bot.engine import ConversationEngine
from tandem.config import get_settings
from tandem.db import get_engine, transaction
from tandem.seed import seed_front_office

pytestmark = [pytest.mark.db, pytest.mark.slow]


@pytest.fixture
def api_schema(use_database: str, demo_chat_engine: ConversationEngine) -> object:
    with transaction(get_engine()) as session:
        seed_front_office(session, get_settings())
    app = create_app(engine_factory=lambda: demo_chat_engine)
    app.state.ip_window.limit = 10_000  # exercise the handlers, not only the rate limiter
    return schemathesis.openapi.from_asgi("/openapi.json", app)


STREAMS = ("/events", "/ws")


def test_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    """Every operation, 30 generated requests each (valid and invalid by the schema)."""
    tried: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith(STREAMS):
            continue  # endless streams; covered by tests/api/test_chat.py

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: schemathesis.Case) -> None:
            response = case.call()
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"

        no_server_error()
        tried.append(f"{operation.method.upper()} {operation.path}")
    print(f"schemathesis: {len(tried)} operations, 30 examples each, 0 server errors")  # noqa: T201
    assert len(tried) >= 10, tried
