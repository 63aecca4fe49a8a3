"""Live push per conversation: Server-Sent Events and WebSocket, resumable by event id."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from api.chat.routes import ERRORS, load_conversation
from bot.transcript import events_after
from tandem.errors import NotFound, TandemError
from tandem.pubsub import get_broker

router = APIRouter(prefix="/api/v1", tags=["chat"])
POLL_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0


def _authorize(request_state: Any, conversation_id: str, token: str | None) -> None:
    with request_state.session_factory() as session:
        load_conversation(session, conversation_id, token)


def _load(request_state: Any, conversation_id: str, after: int) -> list[dict[str, Any]]:
    with request_state.session_factory() as session:
        return [
            {"id": e.id, "kind": e.kind, "data": e.payload}
            for e in events_after(session, conversation_id, after)
        ]


async def _events(state: Any, conversation_id: str, after: int) -> AsyncIterator[dict[str, Any]]:
    """Stored events after ``after``, then new ones as they come; transient ones without an id."""
    last = after
    async with get_broker().subscribe(conversation_id) as wake:
        while True:
            for event in await run_in_threadpool(_load, state, conversation_id, last):
                last = event["id"]
                yield event
            try:
                kind = await asyncio.wait_for(wake.get(), timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            if kind == "typing":
                yield {"id": None, "kind": "typing", "data": {}}


MAX_EVENT_ID = 2**31 - 1  # the largest event id the INTEGER column holds (PostgreSQL refuses more)


def _resume_point(last_event_id: str | None, after: int | None) -> int:
    for value in (last_event_id, after):
        # isdecimal, not isdigit: int() refuses digits such as "²"; an id beyond the column's range
        # would make the driver fail mid-stream, and no event has one, so it means "from the end".
        if value is not None and str(value).isascii() and str(value).isdecimal():
            return min(int(value), MAX_EVENT_ID)
    return 0


@router.get(
    "/conversations/{conversation_id}/events",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "An event stream"}},
    response_class=StreamingResponse,
)
async def stream_events(
    conversation_id: str,
    request: Request,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_EVENT_ID, description="Resume after this event id.")
    ] = None,
    token: Annotated[str | None, Query(max_length=200, description="Customer token, if any.")] = None,
    x_customer_token: Annotated[str | None, Header(alias="X-Customer-Token", max_length=200)] = None,
) -> StreamingResponse:
    """Server-Sent Events: messages, job status changes and agent replies, resumable with Last-Event-ID."""
    state = request.app.state
    await run_in_threadpool(_authorize, state, conversation_id, x_customer_token or token)
    start = _resume_point(last_event_id, after)

    async def body() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        stream = _events(state, conversation_id, start)
        while True:
            try:
                event = await asyncio.wait_for(anext(stream), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if await request.is_disconnected():
                return
            head = f"id: {event['id']}\n" if event["id"] is not None else ""
            yield f"{head}event: {event['kind']}\ndata: {json.dumps(event['data'], ensure_ascii=False)}\n\n"

    return StreamingResponse(
        body(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.websocket("/conversations/{conversation_id}/ws")
async def websocket_events(
    websocket: WebSocket,
    conversation_id: str,
    after: Annotated[int, Query(ge=0, le=MAX_EVENT_ID)] = 0,
    token: Annotated[str | None, Query(max_length=200)] = None,
) -> None:
    """The same events as JSON frames: ``{"id", "kind", "data"}``."""
    state = websocket.app.state
    try:
        await run_in_threadpool(_authorize, state, conversation_id, token)
    except (NotFound, TandemError):
        await websocket.close(code=4404)
        return
    await websocket.accept()
    try:
        async for event in _events(state, conversation_id, after):
            await websocket.send_json(event)
    except WebSocketDisconnect:
        return
