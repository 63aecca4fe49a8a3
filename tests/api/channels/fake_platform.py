"""A fake messaging platform on loopback that the product's real HTTP client talks to.

It speaks the Telegram Bot API's ``sendMessage`` (``POST /bot<token>/sendMessage``) and
accepts the generic channel's callback (``POST /callback``). Each request takes the next
scripted answer (a 500, a 429 with ``retry_after``...) or succeeds; every request is kept.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SEND_MESSAGE = re.compile(r"^/bot(?P<token>[^/]+)/sendMessage$")


@dataclass(frozen=True)
class Answer:
    """One scripted answer: an HTTP status, a JSON body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def telegram_error(status: int, description: str, retry_after: int | None = None) -> Answer:
    """A Bot API error in its documented shape."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return Answer(status, body)


@dataclass(frozen=True)
class Received:
    """A request as the platform saw it; ``answered`` is the status it got back."""

    path: str
    headers: dict[str, str]
    raw: bytes
    answered: int
    at: float

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


@dataclass
class FakePlatform:
    url: str = ""
    script: list[Answer] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self, default: Answer) -> Answer:
        with self.lock:
            return self.script.pop(0) if self.script else default

    def record(self, received: Received) -> None:
        with self.lock:
            self.requests.append(received)

    def sent(self, path_pattern: str = "/sendMessage") -> list[Received]:
        """Requests to paths containing ``path_pattern`` that were answered 200."""
        with self.lock:
            return [r for r in self.requests if path_pattern in r.path and r.answered == 200]

    def attempts(self, path_pattern: str = "/sendMessage") -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path_pattern in r.path]

    def wait_for(self, condition: Callable[[FakePlatform], bool], timeout: float = 15.0) -> None:
        """Wait until ``condition`` holds, or fail with what was received."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.02)
        raise AssertionError(f"condition not met within {timeout} s; received {self.requests!r}")


def _handler(state: FakePlatform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            match = SEND_MESSAGE.match(self.path)
            if match is not None:
                answer = state.next_answer(_telegram_ok(raw))
            elif self.path == "/callback":
                answer = state.next_answer(Answer(200, {"received": True}))
            else:
                answer = Answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            state.record(Received(self.path, dict(self.headers), raw, answer.status, time.monotonic()))
            payload = json.dumps(answer.body).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


def _telegram_ok(raw: bytes) -> Answer:
    try:
        params = json.loads(raw)
    except ValueError:
        return telegram_error(400, "Bad Request: can't parse JSON")
    if not isinstance(params, dict) or "chat_id" not in params or not params.get("text"):
        return telegram_error(400, "Bad Request: chat_id and text are required")
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": params["chat_id"], "type": "private"},
        "text": params["text"],
    }
    return Answer(200, {"ok": True, "result": message})


@contextmanager
def fake_platform_server() -> Iterator[FakePlatform]:
    """Serve a :class:`FakePlatform` on 127.0.0.1 for the duration of the block."""
    state = FakePlatform()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
