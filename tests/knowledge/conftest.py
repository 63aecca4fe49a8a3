"""Fixtures of the knowledge tests: a cheap embedder, small help centres, loopback servers."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import Vectors
from knowledge.tokens import tokenize
from tandem.config import Settings, get_settings

DIM = 64

RETURNS_EN = """---
title: Returns and refunds
language: en
tags: [returns, refunds]
updated: 2026-11-01
article: returns-and-refunds
---
# Returns and refunds

You can send most products back.

## How long do I have to return a product?

Most products can be returned within 30 days of delivery. Electronics can be returned
within 14 days. The item must be unused and in its original packaging.

## When do I get my refund?

We refund the money to your original payment method within 5 working days after the
returned item reaches our warehouse.
"""

RETURNS_PL = """---
title: Zwroty i zwrot pieniędzy
language: pl
tags: [returns, refunds]
article: returns-and-refunds
---
# Zwroty i zwrot pieniędzy

## Ile mam czasu na zwrot produktu?

Większość produktów możesz zwrócić w ciągu 30 dni od dostawy. Elektronikę w ciągu 14 dni.
Produkt musi być nieużywany i w oryginalnym opakowaniu.
"""

DELIVERY_EN = """---
title: Delivery and shipping
language: en
tags: [delivery]
article: delivery-and-shipping
---
# Delivery and shipping

## How much does delivery cost?

Standard delivery costs 5 dollars and is free for orders over 50 dollars.

## How long does delivery take?

Standard delivery takes 3 to 5 working days. Express delivery arrives the next working day.
"""

GIFT_EN = """---
title: Gift cards
language: en
tags: [gift cards, payment]
article: gift-cards
---
# Gift cards

## How long is a gift card valid?

A gift card is valid for 24 months from the date of purchase. You can use it for several orders.
"""


class HashingEmbedder:
    """A cheap deterministic bag-of-words embedder: vectors share dimensions when words do."""

    def __init__(self, name: str = "hashing-test") -> None:
        self._name = name
        self.calls = 0
        self.embedded = 0

    @property
    def name(self) -> str:
        return self._name

    def _vector(self, text: str) -> Vectors:
        vector = np.zeros(DIM, dtype=np.float32)
        for token in tokenize(text) or ["empty"]:
            digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % DIM] += 1.0
        return vector / np.linalg.norm(vector)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIM))

    def embed_query(self, text: str) -> Vectors:
        return self._vector(text)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path → content) under ``root``."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def helpcentre(tmp_path: Path) -> Path:
    """A three-article help centre, one article also in Polish."""
    return write_tree(
        tmp_path / "helpcentre",
        {
            "en/returns-and-refunds.md": RETURNS_EN,
            "pl/returns-and-refunds.md": RETURNS_PL,
            "en/delivery-and-shipping.md": DELIVERY_EN,
            "en/gift-cards.md": GIFT_EN,
        },
    )


@pytest.fixture
def hashing_kb() -> KnowledgeBase:
    """A knowledge base in the test's data dir with the cheap embedder."""
    return KnowledgeBase(get_settings(), embedder=HashingEmbedder())


@pytest.fixture(scope="session")
def e5_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The small help centre embedded once with the real offline E5 model."""
    root = tmp_path_factory.mktemp("e5")
    corpus = write_tree(
        root / "helpcentre",
        {
            "en/returns-and-refunds.md": RETURNS_EN,
            "pl/returns-and-refunds.md": RETURNS_PL,
            "en/delivery-and-shipping.md": DELIVERY_EN,
            "en/gift-cards.md": GIFT_EN,
        },
    )
    kb = KnowledgeBase(Settings(data_dir=root / "var", embeddings="local"))
    kb.llm = None
    kb.ingest([str(corpus)])
    return kb


@contextmanager
def serve(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run an HTTP handler on 127.0.0.1 in a thread; yield its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietStatic(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback static file server over a fresh directory."""
    root = tmp_path / "site"
    root.mkdir()
    with serve(partial(_QuietStatic, directory=str(root))) as url:
        yield url, root


class FakeOpenAI(BaseHTTPRequestHandler):
    """A scripted OpenAI-compatible server: ``/v1/embeddings`` and ``/v1/chat/completions``."""

    requests: list[dict[str, Any]]
    chat_reply: str | None = "ok"
    embedder = HashingEmbedder("fake-openai")

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.requests.append({"path": self.path, "body": body})
        if self.path.endswith("/embeddings"):
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            vectors = self.embedder.embed_passages([str(i) for i in inputs])
            self._json(
                200,
                {
                    "object": "list",
                    "model": body["model"],
                    "data": [
                        {"object": "embedding", "index": n, "embedding": v.tolist()}
                        for n, v in enumerate(vectors)
                    ],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                },
            )
        elif self.path.endswith("/chat/completions") and self.chat_reply is not None:
            self._json(
                200,
                {
                    "id": "chatcmpl-test",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.chat_reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
        else:
            self._json(500, {"error": {"message": "scripted failure", "type": "server_error"}})

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_openai() -> Iterator[tuple[str, type[FakeOpenAI]]]:
    """A fresh fake OpenAI server class (scriptable) and its ``/v1`` base URL."""
    handler = type("ScriptedOpenAI", (FakeOpenAI,), {"requests": [], "chat_reply": "ok"})
    with serve(handler) as url:
        yield f"{url}/v1", handler
