"""The vector store in server mode: a real ``chroma run`` on loopback, reached over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from tandem.config import Settings
from tests.knowledge.conftest import HashingEmbedder

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"chroma exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"chroma did not answer on {url}")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``chroma run`` from this venv on a free 127.0.0.1 port; stopped after the module."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.fail(f"the installed chromadb has no CLI at {chroma}")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    path = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class TestChromaServer:
    def test_ingest_and_search_through_the_http_client(
        self, chroma_server: str, helpcentre: Path, tmp_path: Path
    ) -> None:
        settings = Settings(data_dir=tmp_path / "var", chroma_url=chroma_server)
        kb = KnowledgeBase(settings, embedder=HashingEmbedder("server-ingest"))
        kb.llm = None

        report = kb.ingest([str(helpcentre)])
        hits = kb.search("gift card valid", 3)
        polish = kb.search("zwrot produktu", 3, language="pl")

        assert not (tmp_path / "var" / "chroma").exists()  # nothing went to the embedded store
        assert report.chunks_added == kb.store.count() == 7
        assert hits[0].chunk.article == "gift-cards"
        assert {h.chunk.language for h in polish} == {"pl"}
        assert not kb.ingest([str(helpcentre)]).changed

    def test_a_second_client_sees_the_same_collection(
        self, chroma_server: str, helpcentre: Path, tmp_path: Path
    ) -> None:
        settings = Settings(data_dir=tmp_path / "var", chroma_url=chroma_server)
        KnowledgeBase(settings, embedder=HashingEmbedder("server-shared")).ingest([str(helpcentre)])

        other = KnowledgeBase(settings, embedder=HashingEmbedder("server-shared"))

        assert other.store.count() == 7
        assert other.search("delivery cost", 1)[0].chunk.article == "delivery-and-shipping"
