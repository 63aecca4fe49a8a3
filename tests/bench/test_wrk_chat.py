"""The scale-out bench's wrk script against a real uvicorn server on loopback: what it sends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import wrk
from tests.support.servers import app_in_thread

pytestmark = pytest.mark.unit  # wrk is on the machine: scripts/bootstrap.sh installs it
TEXTS = ["hello", 'a "quoted" text\\ with a backslash', "سلام", "Dzień dobry"]


@pytest.fixture
def server() -> Iterator[tuple[str, list[tuple[str, dict[str, str]]]]]:
    received: list[tuple[str, dict[str, str]]] = []

    async def message(request: Request) -> Response:
        received.append((request.path_params["conversation"], await request.json()))
        if request.path_params["conversation"] == "refused":
            return JSONResponse({"detail": "no"}, status_code=404)
        return JSONResponse({"ok": True})

    route = Route("/api/v1/conversations/{conversation}/messages", message, methods=["POST"])
    with app_in_thread(Starlette(routes=[route])) as url:
        yield url, received


def test_each_request_is_the_next_message_of_the_next_conversation(
    server: tuple[str, list[tuple[str, dict[str, str]]]], tmp_path: Path
) -> None:
    url, received = server
    conversations = ["c0", "c1", "c2", "c3"]  # two connections
    ids, texts = wrk.write_inputs(tmp_path, "run", conversations, TEXTS)
    run = wrk.finish(wrk.start(url, ids, texts, "wrk-test-", seconds=1))
    assert run.requests > 12
    assert run.answered == run.requests
    assert run.socket_errors == run.timeouts == 0
    assert run.requests <= len(received) <= run.requests + len(conversations)  # the last ones in flight
    assert run.p50_ms > 0
    assert run.p99_ms >= run.p50_ms
    message_ids = [body["client_message_id"] for _conversation, body in received]
    assert len(set(message_ids)) == len(message_ids)
    by_conversation: dict[str, list[int]] = {}
    for conversation, body in received:  # wrk builds one request it never sends: ids need not start at 0
        n = int(body["client_message_id"].removeprefix("wrk-test-"))
        assert conversation == conversations[n % len(conversations)]
        turn = n // len(conversations)
        assert body == {"text": TEXTS[turn % len(TEXTS)], "client_message_id": f"wrk-test-{n}"}
        by_conversation.setdefault(conversation, []).append(turn)
    assert sorted(by_conversation) == conversations
    for turns in by_conversation.values():  # each conversation's turns arrive in order
        assert turns == sorted(turns)


def test_answers_other_than_2xx_are_counted_as_errors(
    server: tuple[str, list[tuple[str, dict[str, str]]]], tmp_path: Path
) -> None:
    url, _received = server
    ids, texts = wrk.write_inputs(tmp_path, "refused", ["refused"], TEXTS)
    run = wrk.finish(wrk.start(url, ids, texts, "wrk-refused-", seconds=1))
    assert run.requests > 0
    assert run.status_errors == run.requests
    assert run.answered == 0


def test_a_report_is_required() -> None:
    with pytest.raises(RuntimeError, match="no report"):
        wrk.WrkRun.parse("Running 1s test @ http://127.0.0.1:1\n")
    line = json.dumps(
        {
            "requests": 10,
            "duration_us": 2_000_000,
            "status_errors": 1,
            "socket_errors": 0,
            "timeouts": 0,
            "latency_us": {"50": 1500, "90": 2000, "99": 3000, "99.9": 4000},
        }
    )
    run = wrk.WrkRun.parse(f"noise\n{line}\n")
    assert (run.answered, run.duration_s, run.p50_ms, run.p99_ms) == (9, 2.0, 1.5, 3.0)
