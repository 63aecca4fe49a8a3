"""Source bookkeeping: which sources are indexed, their content hashes and chunk ids.

A small JSON file under ``data_dir/knowledge/`` — independent of the product's database.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Manifest", "SourceRecord"]

_VERSION = 1


@dataclass
class SourceRecord:
    """One indexed source: its content hash and its chunks as ``(id, chunk hash)`` pairs."""

    hash: str
    chunks: list[tuple[str, str]] = field(default_factory=list)
    origin: str = ""
    title: str = ""

    @property
    def chunk_ids(self) -> list[str]:
        return [chunk_id for chunk_id, _ in self.chunks]


@dataclass
class Manifest:
    """The manifest of one collection; ``revision`` grows with every change to the index."""

    path: Path
    collection: str
    revision: int = 0
    sources: dict[str, SourceRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, collection: str) -> Manifest:
        """Read the manifest at ``path`` or start an empty one."""
        if not path.exists():
            return cls(path=path, collection=collection)
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        sources = {
            key: SourceRecord(
                hash=value["hash"],
                chunks=[(c[0], c[1]) for c in value.get("chunks", [])],
                origin=value.get("origin", ""),
                title=value.get("title", ""),
            )
            for key, value in raw.get("sources", {}).items()
        }
        return cls(path, raw.get("collection", collection), int(raw.get("revision", 0)), sources)

    def save(self) -> None:
        """Write atomically (a crash never leaves half a manifest)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": _VERSION,
            "collection": self.collection,
            "revision": self.revision,
            "sources": {key: asdict(record) for key, record in sorted(self.sources.items())},
        }
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def sources_from(self, origin: str) -> set[str]:
        """Sources last ingested through ``origin`` (a directory or a URL list)."""
        return {key for key, record in self.sources.items() if record.origin == origin}
