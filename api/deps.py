"""Request dependencies, read as declarations: ``DbSession``, ``ChatEngine``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from bot.engine import ConversationEngine
from tandem.db import session_factory
from tandem.pubsub import get_broker


def _db_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    factory = request.app.state.session_factory
    with factory() as session:
        with session.begin():
            yield session
        for conversation_id in session.info.pop("touched_conversations", ()):
            get_broker().publish(conversation_id)


def _engine(request: Request) -> ConversationEngine:
    engine: ConversationEngine = request.app.state.chat_engine()
    return engine


# scope="function": commit before the response is sent, so a client that acts on the answer at once
# (opens a conversation, then writes to it) always finds what it was told exists.
DbSession = Annotated[Session, Depends(_db_session, scope="function")]
ChatEngine = Annotated[ConversationEngine, Depends(_engine)]

__all__ = ["ChatEngine", "DbSession", "session_factory"]
