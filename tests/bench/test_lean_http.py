"""The benchmarks' lean HTTP client against a real uvicorn server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from bench.lean_http import HttpError, LeanHttp
from tests.support.servers import app_in_thread, free_port

pytestmark = pytest.mark.unit


async def echo(request: Request) -> Response:
    body = await request.json()
    status = int(body.get("status", 200))
    return JSONResponse({"got": body, "token": request.headers.get("x-token")}, status_code=status)


async def chunked(_request: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        yield b"{}"

    return StreamingResponse(parts(), media_type="application/json")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    routes = [Route("/echo", echo, methods=["POST"]), Route("/chunked", chunked, methods=["POST"])]
    with app_in_thread(Starlette(routes=routes), timeout_keep_alive=1) as url:
        yield url


def test_posts_json_and_reads_the_answer_on_one_kept_alive_connection(server: str) -> None:
    async def run() -> list[tuple[int, bytes]]:
        http = LeanHttp(timeout_s=10)
        try:
            body = {"text": "سلام"}
            answers = [await http.post(server, "/echo", {**body, "n": n}, {"X-Token": "t"}) for n in range(3)]
            assert len(http.idle[("127.0.0.1", int(server.rsplit(":", 1)[1]))]) == 1
            return answers
        finally:
            await http.close()

    answers = asyncio.run(run())
    assert [status for status, _ in answers] == [200, 200, 200]
    assert b'"token":"t"' in answers[0][1]
    assert "سلام".encode() in answers[2][1]


def test_error_statuses_come_back_as_they_are(server: str) -> None:
    async def run() -> tuple[int, bytes]:
        http = LeanHttp(timeout_s=10)
        try:
            return await http.post(server, "/echo", {"status": 503})
        finally:
            await http.close()

    assert asyncio.run(run())[0] == 503


def test_a_connection_the_server_closed_while_idle_is_replaced_transparently(server: str) -> None:
    async def run() -> tuple[int, bytes]:
        http = LeanHttp(timeout_s=10)
        try:
            await http.post(server, "/echo", {"n": 1})
            await asyncio.sleep(1.5)  # past the server's keep-alive timeout: it closes the connection
            return await http.post(server, "/echo", {"n": 2})
        finally:
            await http.close()

    assert asyncio.run(run())[0] == 200


def test_what_it_cannot_read_is_an_error_not_a_wrong_answer(server: str) -> None:
    async def run() -> None:
        http = LeanHttp(timeout_s=10)
        try:
            await http.post(server, "/chunked", {})
        finally:
            await http.close()

    with pytest.raises(HttpError, match="chunked"):
        asyncio.run(run())


def test_a_server_that_is_down_refuses_the_connection() -> None:
    async def run() -> None:
        await LeanHttp(timeout_s=5).post(f"http://127.0.0.1:{free_port()}", "/echo", {})

    with pytest.raises(ConnectionRefusedError):
        asyncio.run(run())
