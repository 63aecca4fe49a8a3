"""One way to send requests to the API, in process (TestClient) or over real HTTP (``tandem serve``).

The hostile-input fuzz and the isolation attempts (``tests/security``, ``bench/hostile.py``) talk
to a :class:`Target`; every answer becomes a :class:`Reply` that :func:`problems` judges.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import httpx

# What a stack trace or a driver error looks like if one reaches a client.
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.", "psycopg.", "sqlite3.")


@dataclass(frozen=True)
class Reply:
    """An answer: HTTP status (for a WebSocket 101 when accepted, else the refusal), its text."""

    status: int
    content_type: str
    body: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300 or self.status == 101


class Target(Protocol):
    def http(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply: ...

    def sse(self, path: str, *, headers: dict[str, str] | None = None, query: str = "") -> Reply: ...

    def ws(self, path: str, *, query: str = "") -> Reply: ...


def path_segment(value: str) -> str:
    """``value`` percent-encoded as one path segment (lone surrogates as their UTF-8-like bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _reply(response: httpx.Response) -> Reply:
    return Reply(response.status_code, response.headers.get("content-type", ""), response.text)


def _headers(headers: dict[str, str] | None, *, wire: bool = False) -> dict[str, bytes]:
    # Latin-1 bytes reach the server as sent (httpx would refuse non-ASCII str values). On a real
    # connection surrounding whitespace cannot be sent (h11 refuses it; a server would strip it).
    return {k: (v.strip() if wire else v).encode("latin-1", "replace") for k, v in (headers or {}).items()}


class InProcess:
    """The app inside a Starlette ``TestClient`` (entered); event streams are read for a moment."""

    def __init__(self, client: Any, stream_seconds: float = 0.5) -> None:
        self.client = client
        self.stream_seconds = stream_seconds

    def http(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        kwargs: dict[str, Any] = {"headers": _headers(headers), "params": params}
        if json_body is not None:
            kwargs["json"] = json_body
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs["files"] = files
        if data is not None:
            kwargs["data"] = data
        return _reply(self.client.request(method, path, **kwargs))

    def sse(self, path: str, *, headers: dict[str, str] | None = None, query: str = "") -> Reply:
        # TestClient waits for the whole body, and an event stream never ends: drive the ASGI app
        # directly in the client's event loop and hang up after the first moment of the stream.
        return self.client.portal.call(  # type: ignore[no-any-return]
            _asgi_stream, self.client.app, path, query, _headers(headers), self.stream_seconds
        )

    def ws(self, path: str, *, query: str = "") -> Reply:
        """101 with the first frame (if one comes soon), 403 when refused, 500 when the app failed."""
        from starlette.websockets import WebSocketDisconnect

        url = path + (f"?{query}" if query else "")
        accepted = False
        try:
            with self.client.websocket_connect(url) as socket:
                accepted = True
                message = socket.portal.call(_receive_within, socket, self.stream_seconds)
        except WebSocketDisconnect as exc:
            if not accepted:
                return Reply(403, "", f"closed with {exc.code} before accepting")
            return Reply(500 if exc.code == 1011 else 101, "", f"closed with {exc.code}")
        except Exception as exc:
            return Reply(500, "", f"websocket failed: {type(exc).__name__}")
        if message is None or message.get("type") != "websocket.send":
            return Reply(101, "", str((message or {}).get("code", "")))
        return Reply(101, "application/json", str(message.get("text", "")))


async def _receive_within(socket: Any, seconds: float) -> dict[str, Any] | None:
    import anyio

    with anyio.move_on_after(seconds):
        return await socket._send_rx.receive()  # type: ignore[no-any-return]
    return None


async def _asgi_stream(app: Any, path: str, query: str, headers: dict[str, bytes], seconds: float) -> Reply:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8", "surrogatepass"),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v) for k, v in headers.items()] + [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    hang_up = asyncio.Event()
    requested = False
    start: dict[str, Any] = {}
    chunks: list[bytes] = []
    finished = asyncio.Event()
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await hang_up.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            started.set()
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False) or b"".join(chunks).count(b"\n\n") >= 2:
                finished.set()  # ended, or "retry:" and a first event came: enough to judge

    task = asyncio.ensure_future(app(scope, receive, send))
    # The answer may take a while on a busy machine; then the stream's first moment is enough.
    first = asyncio.ensure_future(started.wait())
    await asyncio.wait({task, first}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    first.cancel()
    if not task.done():
        try:
            await asyncio.wait_for(finished.wait(), timeout=seconds)
        except TimeoutError:
            pass
    hang_up.set()
    task.cancel()
    failure = ""
    try:
        await task
    except asyncio.CancelledError:
        pass  # the stream was cut on purpose
    except Exception as exc:
        failure = f"stream failed: {type(exc).__name__}"
    if failure:
        return Reply(500 if not start else 0, "", failure)
    content_type = dict(start.get("headers", [])).get(b"content-type", b"").decode("latin-1")
    return Reply(int(start.get("status", 0)), content_type, b"".join(chunks).decode("utf-8", "replace"))


class OverHttp:
    """A running server (``tandem serve``) reached with httpx; event streams read for a moment."""

    def __init__(self, base_url: str, stream_seconds: float = 1.0) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url, timeout=300)  # the first turn loads the models
        self.stream_seconds = stream_seconds

    def close(self) -> None:
        self.client.close()

    def http(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: object = None,
        content: bytes | None = None,
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> Reply:
        kwargs: dict[str, Any] = {"headers": _headers(headers, wire=True), "params": params}
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body).encode()
            kwargs["headers"]["content-type"] = b"application/json"
        if content is not None:
            kwargs["content"] = content
        if files is not None:
            kwargs["files"] = files
        if data is not None:
            kwargs["data"] = data
        url = httpx.URL(self.base_url).copy_with(raw_path=path.encode("ascii"))
        return _reply(self.client.request(method, url, **kwargs))

    def sse(self, path: str, *, headers: dict[str, str] | None = None, query: str = "") -> Reply:
        raw = path + (f"?{query}" if query else "")
        url = httpx.URL(self.base_url).copy_with(raw_path=raw.encode("ascii"))
        timeout = httpx.Timeout(30, read=self.stream_seconds)
        body = b""
        sent = _headers(headers, wire=True)
        with self.client.stream("GET", url, headers=sent, timeout=timeout) as response:
            try:
                for chunk in response.iter_bytes():
                    body += chunk
                    if response.status_code != 200 or body.count(b"\n\n") >= 2:
                        break
            except httpx.ReadTimeout:
                pass
            except httpx.RemoteProtocolError as exc:
                return Reply(0, "", f"stream failed: {exc}")
            return Reply(response.status_code, response.headers.get("content-type", ""), body.decode())

    def ws(self, path: str, *, query: str = "") -> Reply:
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        url = self.base_url.replace("http", "ws", 1) + path + (f"?{query}" if query else "")
        try:
            with connect(url, open_timeout=30) as socket:
                frame = socket.recv(timeout=self.stream_seconds * 5)
        except InvalidStatus as exc:  # uvicorn answers 403 to a socket closed before accepting
            return Reply(exc.response.status_code, "", "")
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            return Reply(500 if code in (1006, 1011) else 101, "", f"closed with {code}")
        except TimeoutError:
            return Reply(101, "", "")
        return Reply(101, "application/json", str(frame))


def problems(reply: Reply, *, json_api: bool = True) -> list[str]:
    """What is wrong with an answer to a hostile request: a 5xx, a trace, an unclear 4xx."""
    found = []
    if reply.status >= 500 or reply.status == 0:
        found.append(f"server error {reply.status}: {reply.body[:200]!r}")
    for marker in TRACE_MARKERS:
        if marker in reply.body:
            found.append(f"stack trace or driver error in the answer ({marker!r})")
    if json_api and 400 <= reply.status < 500:
        if not reply.content_type.startswith("application/json"):
            found.append(f"{reply.status} answered as {reply.content_type!r}")
        else:
            try:
                error = json.loads(reply.body)["error"]
                assert isinstance(error["code"], str)
                assert isinstance(error["message"], str)
                assert error["code"]
                assert error["message"]
            except (ValueError, KeyError, TypeError, AssertionError):
                found.append(f"{reply.status} without the error shape: {reply.body[:200]!r}")
    if json_api and 200 <= reply.status < 300 and "html" in reply.content_type:
        found.append(f"a JSON route answered {reply.content_type!r}")
    return found
