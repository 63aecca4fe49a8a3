"""A lean HTTP/1.1 client for load generators that share the machine with the servers they load.

On 2 cores every millisecond the load generator spends is taken from the servers. aiohttp cost
0.69 ms of CPU per chat turn in ``bench.scaleout`` (a tenth of what a replica spends on the
turn): enough to lower the measured scale-out ceiling by several percent. This client does only
what the benchmarks need, over raw asyncio streams: JSON POSTs on keep-alive connections, answers
with a Content-Length (uvicorn always sends one for JSON), one request per connection at a time,
a connection dropped on any error.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from urllib.parse import urlsplit

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpError(Exception):
    """The server answered something this client does not read, or not at all."""


class LeanHttp:
    """JSON POSTs over pooled keep-alive connections; ``post`` returns (status, body bytes)."""

    def __init__(self, timeout_s: float = 60.0) -> None:
        self.timeout_s = timeout_s
        self.idle: defaultdict[tuple[str, int], list[Connection]] = defaultdict(list)

    async def post(
        self, url: str, path: str, body: object, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """POST ``body`` as JSON; raises OSError, TimeoutError or HttpError when it cannot."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        data = json.dumps(body).encode()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{extra}\r\n"
        ).encode() + data
        idle = self.idle[(host, port)]
        while idle:  # a kept-alive connection the server closed meanwhile fails on first use
            try:
                return await self._exchange(idle.pop(), request, idle)
            except (OSError, HttpError):
                continue
        async with asyncio.timeout(self.timeout_s):
            connection = await asyncio.open_connection(host, port)
        return await self._exchange(connection, request, idle)

    async def _exchange(
        self, connection: Connection, request: bytes, idle: list[Connection]
    ) -> tuple[int, bytes]:
        reader, writer = connection
        try:
            writer.write(request)
            async with asyncio.timeout(self.timeout_s):
                head = await reader.readuntil(b"\r\n\r\n")
                status, length, keep = _parse_head(head)
                body = await reader.readexactly(length)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            writer.close()
            raise HttpError(f"no complete answer: {exc}") from exc
        except BaseException:
            writer.close()
            raise
        if keep:
            idle.append(connection)
        else:
            writer.close()
        return status, body

    async def close(self) -> None:
        for connections in self.idle.values():
            for _reader, writer in connections:
                writer.close()
        self.idle.clear()


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    """(status, content length, keep-alive) of a response head."""
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError) as exc:
        raise HttpError(f"not an HTTP status line: {lines[0][:80]!r}") from exc
    length, keep = None, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            if not value.strip().isdigit():
                raise HttpError(f"bad Content-Length: {value.strip()[:20]!r}")
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
        elif name == "transfer-encoding":
            raise HttpError("chunked answers are not read by this client")
    if length is None:
        raise HttpError("answer without a Content-Length")
    return status, length, keep
