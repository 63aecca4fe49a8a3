"""Request guards for the public API: body size, NUL characters, rate limits, CORS."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from pydantic import AfterValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body
from api.ratelimit import SlidingWindow
from tandem.config import Settings


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413, whether or not a Content-Length was sent."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, upload_bytes: int, prefixes: tuple[str, ...] = ("/api/",)
    ) -> None:
        self.app = app
        self.json_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.prefixes = prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope["path"].endswith("/attachments") else self.json_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _TooLarge:
            await self._refuse(send, limit)

    async def _refuse(self, send: Send, limit: int) -> None:
        import json

        body = json.dumps(error_body("payload_too_large", f"request body over {limit} bytes")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class NulPathGuard:
    """Answer 404 to a URL path holding a NUL character (``%00``): no route or stored id has one.

    Without it, a path parameter such as a conversation id reaches the database, where
    PostgreSQL refuses NUL in text with an error the API would report as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "\x00" not in scope["path"]:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4404})
            return
        import json

        body = json.dumps(error_body("not_found", "Not Found")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 404,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def refuse_nul(value: str) -> str:
    """Pydantic validator for free text: a NUL character cannot be stored (PostgreSQL refuses it)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (U+0000) characters")
    return value


NoNul = AfterValidator(refuse_nul)


def install_guards(app: FastAPI, settings: Settings) -> None:
    """Body limit, CORS for embedding sites, and the rate-limit windows on ``app.state``."""
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, upload_bytes=settings.max_upload_bytes
    )
    app.add_middleware(NulPathGuard)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "X-Customer-Token", "Last-Event-ID"],
            max_age=600,
        )
    app.state.ip_window = SlidingWindow(settings.rate_requests_per_ip, 60)
    app.state.conversation_window = SlidingWindow(settings.rate_messages_per_conversation, 60)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _limit_ip(request: Request) -> None:
    # async: a microsecond's check on the event loop, not a hop to a worker thread and back
    request.app.state.ip_window.hit(client_address(request), "requests from this address")


IpRateLimit = Annotated[None, Depends(_limit_ip)]


def limit_conversation(request: Request, conversation_id: str) -> None:
    request.app.state.conversation_window.hit(conversation_id, "messages in this conversation")
