"""Two API replicas on one PostgreSQL and one Redis: live events cross from one to the other.

A customer's event stream is open on replica A; the agent signs in, takes over and types and
replies on replica B. The reply is stored (any replica could find it by polling), but the typing
signal is never stored: it can only reach A through Redis pub/sub, so seeing it proves the fan-out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.database import fresh_postgres_database
from tests.support.servers import REPO_ROOT, RunningServer, free_port, run_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, nlu_cache_dir: Path) -> Iterator[list[RunningServer]]:
    redis.Redis.from_url(REDIS_URL).ping()  # the scale-out mode needs the real Redis
    data_dir = tmp_path_factory.mktemp("replicas")
    shutil.copytree(nlu_cache_dir, data_dir / "nlu", dirs_exist_ok=True)  # no re-embedding per replica
    with fresh_postgres_database() as url, ExitStack() as stack:
        env = {"TANDEM_DATA_DIR": str(data_dir), "TANDEM_DATABASE_URL": url, "TANDEM_REDIS_URL": REDIS_URL}
        for command in (["db", "upgrade"], ["seed"]):
            subprocess.run(
                [sys.executable, "-m", "tandem", *command],
                env={**_environ(), **env},
                cwd=REPO_ROOT,
                check=True,
                capture_output=True,
            )
        servers = []
        for _ in range(2):
            port = free_port()
            servers.append(
                stack.enter_context(
                    run_server(
                        ["tandem", "serve"],
                        port=port,
                        health_path="/readyz",
                        env={**env, "TANDEM_PORT": str(port)},
                        log_dir=data_dir / "logs",
                        timeout=180,
                    )
                )
            )
        yield servers


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


class EventReader(threading.Thread):
    """Reads one conversation's SSE stream on a replica and keeps what arrives."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.events: list[tuple[str, dict[str, object]]] = []
        self.opened = threading.Event()
        self.changed = threading.Condition()
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            self._read()
        except httpx.HTTPError:
            if not self.stop.is_set():  # the replica went away while we still listened
                raise

    def _read(self) -> None:
        kind = "message"
        with httpx.stream("GET", self.url, timeout=httpx.Timeout(5, read=None)) as response:
            assert response.status_code == 200
            self.opened.set()
            for line in response.iter_lines():
                if self.stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    with self.changed:
                        self.events.append((kind, json.loads(line.removeprefix("data: "))))
                        self.changed.notify_all()

    def wait_for(self, predicate: object, timeout: float = 30) -> bool:
        check = predicate  # (kind, data) -> bool
        with self.changed:
            return self.changed.wait_for(lambda: any(check(k, d) for k, d in self.events), timeout)  # type: ignore[operator]


def test_an_agent_on_replica_b_reaches_the_customer_streaming_from_replica_a(
    replicas: list[RunningServer],
) -> None:
    a, b = replicas
    with (
        httpx.Client(base_url=a.url, timeout=60) as customer,
        httpx.Client(base_url=b.url, timeout=60) as agent,
    ):
        check_fan_out(a, customer, agent)


def check_fan_out(a: RunningServer, customer: httpx.Client, agent: httpx.Client) -> None:
    conversation = customer.post("/api/v1/conversations", json={}).json()["id"]
    answer = customer.post(
        f"/api/v1/conversations/{conversation}/messages", json={"text": "Nataka kuzungumza na mtu"}
    )
    assert answer.json()["handoff"] is True, answer.text

    reader = EventReader(f"{a.url}/api/v1/conversations/{conversation}/events")
    reader.start()
    assert reader.opened.wait(30)

    csrf = agent.get("/api/v1/staff/session").json()["csrf_token"]
    signed_in = agent.post(
        "/api/v1/staff/session",
        json={"email": "agent@baobab.example.com", "password": "agent-demo-pass"},
        headers={"X-CSRF-Token": csrf},
    )
    assert signed_in.status_code == 200, signed_in.text
    headers = {"X-CSRF-Token": signed_in.json()["csrf_token"]}
    base = f"/api/v1/staff/conversations/{conversation}"
    assert agent.post(f"{base}/take-over", headers=headers).status_code == 200
    assert agent.post(f"{base}/typing", headers=headers).status_code == 204
    assert reader.wait_for(lambda kind, _data: kind == "typing"), reader.events

    reply = agent.post(f"{base}/messages", json={"text": "Habari, mimi ni Amani."}, headers=headers)
    assert reply.status_code == 201, reply.text
    assert reader.wait_for(
        lambda kind, data: (
            kind == "message" and data.get("role") == "agent" and data.get("text") == "Habari, mimi ni Amani."
        )
    ), reader.events
    reader.stop.set()
    # Each stored event reached the stream once.
    stored_ids = [d.get("message_id") for k, d in reader.events if k == "message"]
    assert len(stored_ids) == len(set(stored_ids))
