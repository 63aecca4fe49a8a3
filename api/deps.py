"""Request dependencies, read as declarations: ``DbSession``, ``ChatEngine``; and the write turn."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, nullcontext
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.engine import ConversationEngine
from tandem.db import session_factory
from tandem.pubsub import get_broker


@contextmanager
def request_transaction(app: FastAPI) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on error; streams woken after."""
    with app.state.session_factory() as session:
        with session.begin():
            yield session
        for conversation_id in session.info.pop("touched_conversations", ()):
            get_broker().publish(conversation_id)


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _db_session(request: Request) -> AsyncIterator[Session]:
    """The request's transaction; a request that may write first waits for its slot (see below)."""
    slot = write_turn(request.app) if request.method in WRITE_METHODS else nullcontext()
    async with slot:
        session: Session = request.app.state.session_factory()
        try:
            yield session
        except BaseException:
            await run_in_threadpool(_end, session, commit=False)
            raise
        await run_in_threadpool(_end, session, commit=True)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
            for conversation_id in session.info.pop("touched_conversations", ()):
                get_broker().publish(conversation_id)
        else:
            session.rollback()
    finally:
        session.close()


@asynccontextmanager
async def write_turn(app: FastAPI) -> AsyncIterator[None]:
    """Wait, without holding a worker thread, until this request may write.

    SQLite takes one writer at a time. If every thread of the pool were blocked waiting for the
    database, the writer holding it could get no thread to commit on, and all would wait out the
    busy timeout (measured: 10 s stalls and 503s with 50 customers). So on SQLite a request that
    may write queues here, in the event loop, first come first served, and only then takes a
    thread. PostgreSQL locks rows, not the database, but one process still has one GIL: at most
    ``TANDEM_WRITE_CONCURRENCY`` writing requests run at once. Measured with 200 customers on
    PostgreSQL (bench.scaleout, 20 s loads): one process gave 275 turns/s with 4 at once, 294 with
    2 and 264 with 1; more threads mostly wait for the GIL, and every hand-over costs CPU.
    """
    slots = getattr(app.state, "write_slots", None)
    if slots is None:  # first request
        bind = app.state.session_factory.kw["bind"]
        at_once = 1 if bind.dialect.name == "sqlite" else app.state.settings.write_concurrency
        queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        queues = weakref.WeakKeyDictionary()
        slots = app.state.write_slots = (queues, int(at_once))
    queues, at_once = slots
    if at_once <= 0:
        yield
        return
    # One queue per event loop (asyncio primitives belong to their loop); a server has one loop,
    # and tests that drive one app from several loops still meet the database's own write gate.
    loop = asyncio.get_running_loop()
    queue: asyncio.Semaphore | None = queues.get(loop)
    if queue is None:
        queue = queues[loop] = asyncio.Semaphore(at_once)
    async with queue:
        yield


async def _engine(request: Request) -> ConversationEngine:
    """The app's engine; built in a worker thread on first use (loading models takes a moment).

    An ``async`` dependency runs on the event loop: a sync one would cost every request a hop
    to a worker thread and back, which under load is mostly time spent waiting for the GIL.
    """
    state = request.app.state
    engine: ConversationEngine | None = getattr(state, "chat_engine_built", None)
    if engine is None:
        engine = state.chat_engine_built = await run_in_threadpool(state.chat_engine)
    return engine


# scope="function": commit before the response is sent, so a client that acts on the answer at once
# (opens a conversation, then writes to it) always finds what it was told exists.
DbSession = Annotated[Session, Depends(_db_session, scope="function")]
ChatEngine = Annotated[ConversationEngine, Depends(_engine)]

__all__ = ["ChatEngine", "DbSession", "request_transaction", "session_factory", "write_turn"]
