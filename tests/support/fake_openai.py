"""A scripted OpenAI-compatible server on loopback that the real openai/LangChain client talks to.

Each request to ``/v1/chat/completions`` takes the next scripted reply: a tool call with
arguments, plain content, malformed JSON, a delay, or an HTTP error. ``/v1/embeddings``
answers with deterministic hash vectors. Every request body is kept for assertions.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    tool_call: dict[str, Any] | None = None
    content: str | None = None
    raw_arguments: str | None = None
    status: int = 200
    delay: float = 0.0


@dataclass
class FakeOpenAI:
    url: str
    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply = field(default_factory=lambda: Reply(content="ok"))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_reply(self) -> Reply:
        with self.lock:
            return self.script.pop(0) if self.script else self.default


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    finish = "stop"
    if reply.tool_call is not None or reply.raw_arguments is not None:
        tool = body.get("tools", [{}])[0].get("function", {}).get("name", "tool")
        arguments = reply.raw_arguments if reply.raw_arguments is not None else json.dumps(reply.tool_call)
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": tool, "arguments": arguments}}
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _embedding(text: str, dims: int = 64) -> list[float]:
    digest = hashlib.sha256(text.encode()).digest() * (dims // 32 + 1)
    vector = [b / 255 - 0.5 for b in digest[:dims]]
    norm = sum(v * v for v in vector) ** 0.5 or 1.0
    return [v / norm for v in vector]


@contextmanager
def fake_openai_server() -> Iterator[FakeOpenAI]:
    """Serve a :class:`FakeOpenAI` on 127.0.0.1; its ``url`` ends in ``/v1``."""
    state = FakeOpenAI(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
            state.requests.append({"path": self.path, "body": body})
            if self.path.endswith("/embeddings"):
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [
                    {"object": "embedding", "index": i, "embedding": _embedding(str(t))}
                    for i, t in enumerate(inputs)
                ]
                self._send(200, {"object": "list", "data": data, "model": body.get("model"), "usage": {}})
                return
            reply = state.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                self._send(reply.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                return
            self._send(200, _completion(body, reply))

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout tests)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
